"""Every connector's ``payoff sync`` command, option and key is documented, and every declared source remaps."""

import importlib
from pathlib import Path

import pytest
import typer.main

from payoff.app.cli import sync
from payoff.connectors.registry import CONNECTORS, MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = typer.main.get_command(sync.cli).commands
SYNCED = sorted(c.command for c in CONNECTORS.values() if c.connect)


def _section(name: str) -> str:
    docs = (ROOT / "docs" / "connectors.md").read_text()
    section = docs[docs.index(f"`payoff sync {name}") :]
    return section[: section.index("\n## ")]


def test_every_declared_connector_has_its_sync_command_and_remap():
    assert SYNCED and sorted(COMMANDS) == SYNCED
    assert {"github", "jira", "copilot", "claude_code", "cursor", "openai"} <= MAPPINGS.keys()


@pytest.mark.parametrize("name", sorted(name for name, connector in CONNECTORS.items() if connector.connect))
def test_declared_streams_are_the_streams_of_the_connectors_folder(name):
    # (The files connector has no stream classes: its formats are its streams, read by ``payoff import``.)
    # Declarations name their streams as text so that reading them imports no HTTP client.
    streams = importlib.import_module(f"payoff.connectors.{name}.streams")
    defined = {
        getattr(kind, "name", None)
        for kind in vars(streams).values()
        if isinstance(kind, type) and getattr(kind, "source", None) == name
    }
    assert set(CONNECTORS[name].streams) == defined - {None}


@pytest.mark.parametrize("name", SYNCED)
def test_sync_command_is_in_the_readme_and_the_connector_docs(name):
    assert f"`payoff sync {name}" in (ROOT / "README.md").read_text()
    assert f"`payoff sync {name}" in (ROOT / "docs" / "connectors.md").read_text()


@pytest.mark.parametrize("name", SYNCED)
def test_connector_options_and_keys_are_documented(name):
    section = _section(name)
    for option in COMMANDS[name].params:
        assert option.opts[0] in section, option.opts[0]
    connector = next(c for c in CONNECTORS.values() if c.command == name)
    for key in connector.keys:
        assert key.variable in section, key.variable


def test_otel_receiver_and_its_options_are_documented():
    from payoff.app.cli import cli

    receiver = typer.main.get_command(cli).commands["otel-receiver"]
    assert "`payoff otel-receiver" in (ROOT / "README.md").read_text()
    docs = (ROOT / "docs" / "connectors.md").read_text()
    section = docs[docs.index("`payoff otel-receiver") :]
    for option in receiver.params:
        assert option.opts[0] in section, option.opts[0]


def test_every_import_command_and_column_is_documented():
    from payoff.app.cli import imports
    from payoff.connectors.files.mapping import FORMATS

    docs = (ROOT / "docs" / "imports.md").read_text()
    for name in typer.main.get_command(imports.cli).commands:
        assert f"`payoff import {name}" in (ROOT / "README.md").read_text(), name
        assert f"payoff import {name}" in docs, name
    for form in FORMATS.values():
        for column in [*form.spec.required, *form.spec.optional]:
            assert f"`{column}`" in docs, column

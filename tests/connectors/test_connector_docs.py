"""Every ``payoff sync`` command, and every option of every connector, is documented."""

from pathlib import Path

import pytest
import typer.main

from payoff.app.cli import sync

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = typer.main.get_command(sync.cli).commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_sync_command_is_in_the_readme_and_the_connector_docs(name):
    assert f"`payoff sync {name}" in (ROOT / "README.md").read_text()
    assert f"`payoff sync {name}" in (ROOT / "docs" / "connectors.md").read_text()


@pytest.mark.parametrize("name", ["github", "jira", "copilot", "claude-code", "cursor", "openai"])
def test_connector_options_are_documented(name):
    docs = (ROOT / "docs" / "connectors.md").read_text()
    section = docs[docs.index(f"`payoff sync {name}"):]
    for option in COMMANDS[name].params:
        assert option.opts[0] in section[:section.index("\n## ")], option.opts[0]


def test_otel_receiver_and_its_options_are_documented():
    from payoff.app.cli import cli

    receiver = typer.main.get_command(cli).commands["otel-receiver"]
    assert "`payoff otel-receiver" in (ROOT / "README.md").read_text()
    docs = (ROOT / "docs" / "connectors.md").read_text()
    section = docs[docs.index("`payoff otel-receiver"):]
    for option in receiver.params:
        assert option.opts[0] in section, option.opts[0]

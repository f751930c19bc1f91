"""The deployment examples stay runnable: every `payoff` command they run exists, and the manifests parse."""

import re
from pathlib import Path

import pytest
import typer
import yaml

from payoff.app.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [p for p in (ROOT / "deploy").rglob("*") if p.is_file()] + [ROOT / "docs" / "deployment.md"]
# `payoff sync cursor` starting a line or code span, after a path (.../bin/payoff) or a shell separator,
# or "payoff", "sync", "cursor" in a YAML command list
COMMAND = re.compile(
    r'(?:^[ \t]*|bin/|[;&|`][ \t]*|")payoff(?:",[ \t]*"|[ \t]+)([a-z][a-z-]*)'
    r'(?:(?:",[ \t]*"|[ \t]+)([a-z][a-z-]*))?',
    re.MULTILINE,
)


def commands() -> set[tuple[str, str | None]]:
    found = set()
    for path in EXAMPLES:
        found.update(COMMAND.findall(path.read_text()))
    return found


def test_every_payoff_command_in_the_examples_exists():
    group = typer.main.get_command(cli)
    found = commands()
    assert {("sync", ""), ("deliver", ""), ("serve", ""), ("db", "upgrade")} <= found
    for name, sub in found:
        assert name in group.commands, f"payoff {name} is not a command"
        command = group.commands[name]
        if hasattr(command, "commands") and sub:
            assert sub in command.commands, f"payoff {name} {sub} is not a command"


@pytest.mark.parametrize("path", ["deploy/compose.yaml", "deploy/kubernetes/payoff.yaml"])
def test_manifests_parse(path):
    assert list(yaml.safe_load_all((ROOT / path).read_text()))


def test_replicas_share_one_configuration_and_scheduled_syncs_do_not_pile_up():
    compose = yaml.safe_load((ROOT / "deploy/compose.yaml").read_text())["services"]
    assert compose["web"]["env_file"] == compose["sync"]["env_file"] == compose["migrate"]["env_file"]
    assert "ports" not in compose["web"]  # reached only through the load balancer
    assert compose["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    manifests = list(yaml.safe_load_all((ROOT / "deploy/kubernetes/payoff.yaml").read_text()))
    cronjobs = [m for m in manifests if m["kind"] == "CronJob"]
    assert cronjobs and all(m["spec"]["concurrencyPolicy"] == "Forbid" for m in cronjobs)


def test_the_env_example_lists_every_variable_the_readme_lists():
    readme = (ROOT / "README.md").read_text()
    configuration = readme[
        readme.index("## Configuration") : readme.index("\n## ", readme.index("## Configuration") + 1)
    ]
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration))
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / "deploy/payoff.env.example").read_text(), re.MULTILINE))
    assert listed and listed <= example, sorted(listed - example)


def test_the_config_example_is_valid_and_the_cron_file_follows_its_schedule():
    from payoff.store.config_file import load

    config = load(ROOT / "deploy/payoff.toml.example")
    assert {s.connector.command for s in config.sources} >= {"github", "jira", "copilot", "claude-code", "cursor"}
    cron = (ROOT / "deploy/cron/payoff").read_text()
    assert set(config.schedule) == {"sync", "deliver"}
    for command, when in config.schedule.items():
        assert re.search(rf"^{re.escape(when)} +payoff .*/bin/payoff {command} ", cron, re.MULTILINE), command

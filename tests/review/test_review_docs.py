"""docs/review.md documents every option of `payoff review` and every export function the dashboard calls."""

from pathlib import Path

import typer.main

from payoff.app import review
from payoff.app.cli import cli

DOC = (Path(__file__).resolve().parents[2] / "docs" / "review.md").read_text()


def test_every_option_of_payoff_review_is_documented():
    command = typer.main.get_command(cli).commands["review"]
    options = [name for param in command.params for name in param.opts if param.name != "help"]
    assert options and [o for o in options if f"`{o}" not in DOC] == []


def test_every_export_function_is_documented():
    assert [name for name in review.__all__ if f"`{name}`" not in DOC] == []

"""``payoff import people|usage|survey FILE``: data from sources without an API (formats: docs/imports.md)."""

from pathlib import Path

import typer
from rich.markup import escape

from payoff.app.cli.progress import console, progress_bars

cli = typer.Typer(help="Import people, AI usage or survey answers from a file (PAYOFF_DATABASE_URL). "
                       "A bad file writes nothing; importing a file twice changes nothing.",
                  no_args_is_help=True)


FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, metavar="FILE",
                      help="The file to import (UTF-8).")


def _run(loader: str, path: Path) -> None:
    """Run ``store.imports.<loader>`` on the file (imported here: the store loads pandas and SQLAlchemy)."""
    from payoff.store import db, imports

    db.upgrade()
    try:
        with progress_bars() as advance:
            counts = getattr(imports, loader)(path, progress=advance)
    except imports.BadFile as error:
        console.print(f"[red]Cannot import[/] {escape(str(error))}\n"
                      "Nothing was imported; fix the file and run the command again.")
        raise typer.Exit(1)
    console.print("[green]Imported:[/] " + ", ".join(f"{n} {table}" for table, n in counts.items()))


@cli.command()
def people(path: Path = FILE) -> None:
    """Import people, their teams and identities from a CSV file.

    Columns: email, name, team, manager_email, role (employee | manager | leader | admin), github_login,
    jira_account_id, and further identity columns such as cursor_email or openai_user_id. Every stored
    row is then re-matched to its person. Formats: docs/imports.md.
    """
    _run("import_people", path)


@cli.command()
def usage(path: Path = FILE) -> None:
    """Import daily AI usage and agent runs from a .csv or .jsonl file.

    Columns: date, email, tool, input_tokens, output_tokens, cost_usd; optional requests, sessions,
    lines_accepted, agent, task_fingerprint, started_at (rows with an agent or a task fingerprint are
    also agent runs). Formats: docs/imports.md.
    """
    _run("import_usage", path)


@cli.command()
def survey(path: Path = FILE) -> None:
    """Import weekly self-reported hours saved from a CSV file.

    Columns: week (any day of it), email, hours_saved; optional comment. Formats: docs/imports.md.
    """
    _run("import_survey", path)

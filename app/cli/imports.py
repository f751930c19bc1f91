"""``payoff import people|usage|survey|prs|tickets FILE``: data from sources without an API (docs/imports.md)."""

from pathlib import Path

import typer
from rich.markup import escape

from payoff.app.cli.progress import console, progress_bars

cli = typer.Typer(
    help="Import people, AI usage, survey answers, pull requests or tickets from a file "
    "(PAYOFF_DATABASE_URL). "
    "A bad file writes nothing; importing a file twice changes nothing.",
    no_args_is_help=True,
)


FILE = typer.Argument(
    ..., exists=True, dir_okay=False, readable=True, metavar="FILE", help="The file to import (UTF-8)."
)


def _run(loader: str, path: Path, **options: str) -> None:
    """Run ``store.imports.<loader>`` on the file (imported here: the store loads pandas and SQLAlchemy)."""
    from payoff.store import db, imports

    db.upgrade()
    try:
        with progress_bars() as advance:
            counts = getattr(imports, loader)(path, progress=advance, **options)
    except imports.BadFile as error:
        console.print(
            f"[red]Cannot import[/] {escape(str(error))}\nNothing was imported; fix the file and run the command again."
        )
        raise typer.Exit(1) from None
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
    _run("import_file", path, stream="usage")


@cli.command()
def survey(path: Path = FILE) -> None:
    """Import weekly self-reported hours saved from a CSV file.

    Columns: week (any day of it), email, hours_saved; optional comment. Formats: docs/imports.md.
    """
    _run("import_survey", path)


@cli.command()
def prs(path: Path = FILE) -> None:
    """Import pull requests (with reviews, AI signals, reverts and ticket references) from a .csv or .jsonl
    file, for forges without a connector (GitLab, Bitbucket, Azure DevOps …).

    Columns: forge, repo, number, author, state, created_at; optional title, author_email, author_bot, draft,
    head_ref, base_ref, labels, reviews, trailers, tickets, reverts, first_commit_at, merged_at, closed_at,
    updated_at, additions, deletions, changed_files, commits. Formats: docs/imports.md.
    """
    _run("import_file", path, stream="pull_requests")


@cli.command()
def tickets(path: Path = FILE) -> None:
    """Import tickets (with their links) from a .csv or .jsonl file, for trackers without a connector
    (Linear, GitLab, Azure DevOps …).

    Columns: tracker, key, type, status, created_at; optional project, summary, status_category, priority,
    resolved_at, resolution, assignee, assignee_email, story_points, links. Formats: docs/imports.md.
    """
    _run("import_file", path, stream="tickets")

"""``payoff review``: export a monthly review as PDF, HTML, CSV or Markdown."""

import os
import re
import tempfile
from pathlib import Path

import typer
from rich.console import Console

console = Console(stderr=True)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The keys of app.review.RENDERERS (a test holds them equal), named here so that a usage error is
# reported before the renderers (Altair, fpdf2, pandas) are imported.
FORMATS = ("pdf", "html", "csv", "md")


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise typer.BadParameter(f"{value!r} is not a month; write it as YYYY-MM, e.g. 2026-10.")
    return value


def _subject(person: str | None, team: str | None, org: bool) -> tuple[str, str]:
    chosen = [s for s in (person and ("person", person), team and ("team", team), org and ("org", "")) if s]
    if len(chosen) != 1:
        raise typer.BadParameter("Name exactly one subject: --person EMAIL, --team NAME or --org.")
    return chosen[0]


def _format(fmt: str | None, out: Path) -> str:
    """The format named by --format, else by the suffix of --out; refused when the two disagree, so that a
    PDF is never written under a .csv name."""
    suffix = out.suffix.lstrip(".").lower()
    fmt = (fmt or suffix).lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"Choose --format {'|'.join(FORMATS)} (or end --out with one of them).")
    if suffix and suffix != fmt:
        raise typer.BadParameter(
            f"--format {fmt} but --out ends in .{suffix}: name the file .{fmt}, or drop "
            "--format to write what the suffix says.",
            param_hint="--format",
        )
    return fmt


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a failed export never leaves half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def register(cli: typer.Typer) -> None:
    @cli.command()
    def review(
        month: str = typer.Option(..., callback=_month, metavar="YYYY-MM", help="The month to review (UTC)."),
        person: str = typer.Option(None, metavar="EMAIL", help="Review one person, by email."),
        team: str = typer.Option(None, metavar="NAME", help="Review one team, by name (case-insensitive)."),
        org: bool = typer.Option(False, "--org", help="Review the whole organisation."),
        viewer_email: str = typer.Option(
            ...,
            "--as",
            metavar="EMAIL",
            help="Export as this person: their access rules apply, the footer and the audit log name them.",
        ),
        fmt: str = typer.Option(
            None, "--format", metavar="pdf|html|csv|md", help="The format (default: the suffix of --out)."
        ),
        out: Path = typer.Option(
            ..., metavar="PATH", help="File to write (mode 0600); nothing is written when the export is refused."
        ),
    ) -> None:
        """Export the monthly review of a person, a team or the organisation, as the --as person may see it.

        An employee exports their own review, a manager also their reports' and their team's, leaders and
        admins the organisation's (groups below the minimum group size stay hidden). A refused export
        exits with status 1 and writes nothing; a usage error exits with 2. Every export is recorded in the
        audit log. The database is PAYOFF_DATABASE_URL (default sqlite:///payoff.db). See docs/review.md.
        """
        kind, key = _subject(person, team, org)
        fmt = _format(fmt, out)
        if not out.parent.is_dir():
            raise typer.BadParameter(f"The folder {out.parent} does not exist.", param_hint="--out")
        from payoff.app import access
        from payoff.app.review import Subject, export
        from payoff.store import db

        subject = Subject(kind, key)
        db.upgrade()
        try:
            with db.session() as session:
                viewer = access.viewer_for(session, viewer_email)
                if viewer is None:
                    raise access.AccessDenied(f"No person with the email {viewer_email} is known to Payoff.")
                with console.status(f"Building the {fmt} review of {subject.key} for {month}…"):
                    data = export(session, viewer, month, subject, fmt)
                _write(out, data)
        except access.AccessDenied as refusal:
            console.print(f"[red]Export refused:[/] {refusal} Nothing was written.")
            raise typer.Exit(1) from None
        console.print(f"[green]Wrote[/] {out} ({len(data):,} bytes, {fmt}).")

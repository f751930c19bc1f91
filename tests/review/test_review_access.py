"""`payoff review` applies the app's access rules: refused exports exit non-zero, say why, write no file
and leave one audit row saying what was refused; every allowed export is one audit row."""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db
from payoff.store.models import AuditLog
from tests.console_text import words

REFUSED = [
    # viewer, subject options, what the reason says
    ("ada@acme.test", ["--person", "ben@acme.test"], "may not see this person"),  # a colleague
    ("ada@acme.test", ["--person", "mia@acme.test"], "may not see this person"),  # her own manager
    ("ada@acme.test", ["--team", "platform"], "minimum group size"),  # not a manager
    ("dan@acme.test", ["--person", "ada@acme.test"], "may not see this person"),  # another team's manager
    ("dan@acme.test", ["--team", "platform"], "minimum group size"),
    ("mia@acme.test", ["--team", "data"], "minimum group size"),  # not hers, and only 2 people
    ("sam@acme.test", ["--team", "data"], "minimum group size"),  # an admin, but 2 < k = 5
    ("mia@acme.test", ["--org"], "leaders and admins"),
    ("nobody@acme.test", ["--person", "nobody@acme.test"], "No person with the email nobody@acme.test"),
    ("mia@acme.test", ["--person", "ghost@acme.test"], "No person with the email ghost@acme.test"),
    ("mia@acme.test", ["--team", "ghosts"], "No team named 'ghosts'"),
]

ALLOWED = [
    ("ada@acme.test", ["--person", "ada@acme.test"], "md", "ada@acme.test"),
    ("mia@acme.test", ["--person", "ada@acme.test"], "html", "ada@acme.test"),  # her report
    ("lee@acme.test", ["--person", "ada@acme.test"], "md", "ada@acme.test"),  # an indirect report
    ("mia@acme.test", ["--team", "platform"], "md", "team:platform"),
    ("lee@acme.test", ["--team", "platform"], "csv", "team:platform"),  # 5 people: k is met
    ("dan@acme.test", ["--team", "data"], "csv", "team:data"),  # his own team: he sees every member
    ("lee@acme.test", ["--org"], "html", "org"),
    ("sam@acme.test", ["--org"], "csv", "org"),
]


@pytest.fixture
def out_dir(tmp_path):
    """An empty folder for the export (the database lives beside it in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def run(*args: str):
    return CliRunner().invoke(cli, ["review", "--month", "2026-10", *args])


def audit_rows(url: str) -> list[tuple[str, str, str, str | None]]:
    with db.session(url) as session:
        return [(a.viewer_email, a.subject, a.view, a.detail) for a in session.exec(select(AuditLog))]


@pytest.mark.parametrize(("viewer", "subject", "reason"), REFUSED)
def test_refused_export_exits_non_zero_writes_nothing_and_says_why(org, out_dir, viewer, subject, reason):
    """Nothing is written but the refusal itself: one audit row naming the attempt and why."""
    out = out_dir / "review.pdf"
    result = run(*subject, "--as", viewer, "--out", str(out))
    assert result.exit_code == 1
    assert "Export refused" in result.output and reason in words(result.output)
    assert list(out_dir.iterdir()) == []
    rows = audit_rows(org)
    if viewer == "nobody@acme.test":  # unknown to Payoff: nobody to attribute an attempt to
        assert rows == []
        return
    [(who, _, view, detail)] = rows
    assert (who, view) == (viewer, "review.pdf:2026-10") and detail.startswith("refused: ")


@pytest.mark.parametrize(("viewer", "subject", "fmt", "audited"), ALLOWED)
def test_allowed_export_writes_the_file_and_one_audit_row(org, out_dir, viewer, subject, fmt, audited):
    out = out_dir / f"review.{fmt}"
    result = run(*subject, "--as", viewer, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    assert [p.name for p in out_dir.iterdir()] == [out.name]  # no temporary file left behind
    assert audit_rows(org) == [(viewer, audited, f"review.{fmt}:2026-10", None)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13", "--org"], "is not a month"),
        (["--month", "2026-10", "--org", "--team", "platform"], "exactly one subject"),
        (["--month", "2026-10"], "exactly one subject"),
        (["--month", "2026-10", "--org", "--format", "docx"], "--format pdf|html|csv|md"),
        (["--month", "2026-10", "--org", "--format", "pdf"], "--format pdf but --out ends in .txt"),
    ],
)
def test_usage_errors_exit_2_before_touching_anything(org, out_dir, args, message):
    result = CliRunner().invoke(cli, ["review", *args, "--as", "lee@acme.test", "--out", str(out_dir / "r.txt")])
    assert result.exit_code == 2
    assert message in words(result.output)
    assert list(out_dir.iterdir()) == []

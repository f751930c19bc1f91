"""The audit log holds refused looks and exports and every admin change, and the Admin page shows them."""

from sqlmodel import select
from typer.testing import CliRunner

from payoff.app import loaders
from payoff.app.access import viewer_for
from payoff.app.cli import cli
from payoff.store import db
from payoff.store.models import AuditLog
from tests.app.conftest import oidc_app, page_text


def audit_rows(url: str) -> list[tuple[str, str, str, str | None]]:
    with db.session(url) as s:
        return [(r.viewer_email, r.subject, r.view, r.detail) for r in s.exec(select(AuditLog).order_by(AuditLog.id))]


def test_a_refused_look_and_a_refused_export_are_audited(org, sqlite_url):
    at = oidc_app("mia@acme.test")
    at.query_params["person"] = str(org["omar@acme.test"])  # Nora's report, not Mia's
    at.run().switch_page("views/team.py").run()
    assert "You may not see this person's figures" in page_text(at)
    result = CliRunner().invoke(
        cli,
        [
            "review",
            "--month",
            "2026-10",
            "--person",
            "omar@acme.test",
            "--as",
            "mia@acme.test",
            "--format",
            "md",
            "--out",
            "/dev/null",
        ],
    )
    assert result.exit_code != 0
    refused = [row for row in audit_rows(sqlite_url) if (row[3] or "").startswith("refused: ")]
    assert {(viewer, subject, view) for viewer, subject, view, _ in refused} == {
        ("mia@acme.test", "omar@acme.test", "team"),
        ("mia@acme.test", "omar@acme.test", "review.md:2026-10"),
    }


def test_admin_changes_are_audited_with_old_and_new_values_and_shown_on_admin(org, sqlite_url):
    with db.session(sqlite_url) as s:
        admin = viewer_for(s, "ada@acme.test")
    loaders.set_role(admin, email="eve@acme.test", role="manager")
    loaders.save_setting(admin, "min_group_size", 3)
    loaders.save_setting(admin, "individual_visibility", "self_only")
    loaders.save_setting(admin, "group_roles", {"eng-leads": "leader"})
    loaders.save_setting(admin, "min_group_size", 3)  # unchanged: nothing to record
    assert audit_rows(sqlite_url) == [
        ("ada@acme.test", "eve@acme.test", "admin.role", "employee -> manager"),
        ("ada@acme.test", "setting:min_group_size", "admin.setting", "5 -> 3"),
        ("ada@acme.test", "setting:individual_visibility", "admin.setting", '"self_and_manager" -> "self_only"'),
        ("ada@acme.test", "setting:group_roles", "admin.setting", '{} -> {"eng-leads": "leader"}'),
    ]
    at = oidc_app("ada@acme.test").run()
    at.switch_page("views/admin.py").run()
    assert not at.exception
    shown = page_text(at)
    assert "employee -> manager" in shown and '{} -> {""eng-leads"": ""leader""}' in shown

"""``payoff db reset --demo-only`` / ``payoff demo --reset``: the demo goes, and only the demo."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import admin, db, demo
from payoff.store.models import AuditLog, Identity, Person, PullRequest, Team
from payoff.store.writes import set_state, upsert

OPENED = datetime(2026, 11, 2, 10, tzinfo=UTC)


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in SQLModel.metadata.sorted_tables
        }


def test_a_demo_only_database_is_emptied_but_for_the_audit_row(db_url):
    with db.session(db_url) as s:
        assert not admin.demo_only(s)  # an empty database holds no demo either
    demo.seed(db_url, people=12, months=1, end="2026-10")
    with db.session(db_url) as s:
        assert admin.demo_only(s)
    assert counts(db_url)["pull_request"] > 0
    result = CliRunner().invoke(cli, ["demo", "--reset"])
    assert result.exit_code == 0, result.output
    assert "12 people" in " ".join(result.output.split())
    left = {table: n for table, n in counts(db_url).items() if n}
    assert left == {"audit_log": 1}
    with db.session(db_url) as s:
        assert s.exec(select(AuditLog.view)).scalar_one() == "demo.reset"


def test_real_data_stops_the_reset_unless_forced_and_survives_it(db_url):
    demo.seed(db_url, people=12, months=1, end="2026-10")
    with db.session(db_url) as s:
        upsert(s, Team, [{"name": "Platform"}])
        upsert(
            s,
            Person,
            [{"email": "kim@real.test", "name": "Kim Real", "team": "Platform", "role": "admin"}],
            on=["email"],
        )
        kim = s.execute(select(Person.id).where(Person.email == "kim@real.test")).scalar_one()
        upsert(s, Identity, [{"id": "github:kim", "source": "github", "external_id": "kim", "person_id": kim}])
        upsert(
            s,
            PullRequest,
            [
                {
                    "id": "github:pr:real/api:1",
                    "repo": "real/api",
                    "number": 1,
                    "person_id": kim,
                    "identity_id": "github:kim",
                    "state": "open",
                    "original_state": "open",
                    "created_at": OPENED,
                    "updated_at": OPENED,
                }
            ],
        )
        set_state(s, source="github", stream="pull_requests", scope="real/api", error=None)
    before = counts(db_url)

    with db.session(db_url) as s:  # Admin → Connector health no longer says the figures are the demo's
        assert not admin.demo_only(s)
    refused = CliRunner().invoke(cli, ["db", "reset", "--demo-only"])
    assert refused.exit_code == 1
    assert "1 synced streams" in " ".join(refused.output.split()) and counts(db_url) == before

    assert CliRunner().invoke(cli, ["db", "reset"]).exit_code == 2  # says --demo-only, removes nothing
    assert counts(db_url) == before

    forced = CliRunner().invoke(cli, ["db", "reset", "--demo-only", "--force"])
    assert forced.exit_code == 0, forced.output
    after = counts(db_url)
    assert (after["person"], after["team"], after["identity"], after["pull_request"], after["sync_state"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert after["ticket"] == after["ai_usage_daily"] == after["usage_week"] == after["seat"] == 0

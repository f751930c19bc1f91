"""A small organisation built by code for the dashboard tests, and helpers to run the app in AppTest.

    dana (leader) ── mia (manager, Platform) ── eve, eli, ivy, ian (employees)
                 └── nora (manager, Payments) ── omar (employee)
    ada (admin, Ops)

Platform has five people (the default minimum group size), Payments two.
"""

import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from payoff.store import db
from payoff.store.models import Person
from payoff.store.writes import set_state, upsert

MAIN = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
TODAY = date.today()

PEOPLE = [
    # email, name, team, manager, role
    ("dana@acme.test", "Dana Director", "Engineering", None, "leader"),
    ("mia@acme.test", "Mia Manager", "Platform", "dana@acme.test", "manager"),
    ("eve@acme.test", "Eve Engineer", "Platform", "mia@acme.test", "employee"),
    ("eli@acme.test", "Eli Engineer", "Platform", "mia@acme.test", "employee"),
    ("ivy@acme.test", "Ivy Engineer", "Platform", "mia@acme.test", "employee"),
    ("ian@acme.test", "Ian Engineer", "Platform", "mia@acme.test", "employee"),
    ("nora@acme.test", "Nora Manager", "Payments", "dana@acme.test", "manager"),
    ("omar@acme.test", "Omar Engineer", "Payments", "nora@acme.test", "employee"),
    ("ada@acme.test", "Ada Admin", "Ops", None, "admin"),
]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def build_org(url: str) -> dict[str, int]:
    """Write the organisation with eight weeks of PRs, tickets, AI usage and survey answers per person.

    Each person's figures differ (their index scales them), so a leak of one person's numbers into
    another's view is visible in the rendered page.
    """
    with db.session(url) as s:
        upsert(
            s,
            "team",
            [
                {"name": "Engineering"},
                {"name": "Platform", "parent": "Engineering"},
                {"name": "Payments", "parent": "Engineering"},
                {"name": "Ops"},
            ],
        )
        upsert(
            s,
            "person",
            [{"email": e, "name": n, "team": t, "manager_email": m, "role": r} for e, n, t, m, r in PEOPLE],
            on=["email"],
        )
        ids = {p.email: p.id for p in s.exec(select(Person))}
        identities, usage, prs, tickets, surveys = [], [], [], [], []
        for index, (email, *_rest) in enumerate(PEOPLE):
            login = email.split("@")[0]
            identities.append(
                {"id": f"github:{login}", "source": "github", "external_id": login, "person_id": ids[email]}
            )
            for week in range(8):
                monday = TODAY - timedelta(days=TODAY.weekday() + 7 * (8 - week))
                for n in range(1 + (index + week) % 3):
                    created = _at(monday + timedelta(days=n))
                    number = index * 1000 + week * 10 + n
                    prs.append(
                        {
                            "id": f"github:pr:acme/api:{number}",
                            "repo": "acme/api",
                            "number": number,
                            "title": f"Change {number}",
                            "person_id": ids[email],
                            "identity_id": f"github:{login}",
                            "state": "merged",
                            "original_state": "closed",
                            "first_commit_at": created - timedelta(hours=6 + index),
                            "created_at": created,
                            "first_review_at": created + timedelta(hours=2 + index),
                            "merged_at": created + timedelta(hours=8 + 2 * index),
                            "closed_at": created + timedelta(hours=8 + 2 * index),
                            "updated_at": created,
                            "additions": 40 + index,
                            "deletions": 5,
                        }
                    )
                    tickets.append(
                        {
                            "id": f"jira:PAY-{number}",
                            "key": f"PAY-{number}",
                            "project": "PAY",
                            "type": "bug" if n == 2 else "story",
                            "original_type": "Story",
                            "status": "Done",
                            "status_category": "done",
                            "created_at": created,
                            "resolved_at": created + timedelta(days=2),
                            "person_id": ids[email],
                            "identity_id": f"jira:{login}",
                        }
                    )
                for d in range(5):
                    day = monday + timedelta(days=d)
                    usage.append(
                        {
                            "id": f"import:{login}:{day}:claude_code",
                            "person_id": ids[email],
                            "identity_id": f"import:{email}",
                            "day": day,
                            "tool": "claude_code",
                            "source": "import",
                            "input_tokens": 10000 * (index + 1),
                            "output_tokens": 2000 * (index + 1),
                            "cost_usd": 0.5 * (index + 1),
                            "requests": 10 + index,
                            "sessions": 2,
                            "lines_accepted": 30 + index,
                        }
                    )
                surveys.append(
                    {
                        "id": f"survey:{email}:{monday}",
                        "person_id": ids[email],
                        "week": monday,
                        "hours_saved": 1.0 + index / 2,
                    }
                )
        upsert(s, "identity", identities)
        upsert(s, "ai_usage_daily", usage)
        upsert(s, "pull_request", prs)
        upsert(s, "ticket", tickets)
        upsert(s, "survey_response", surveys)
        set_state(
            s, source="github", stream="pull_requests", scope="acme/api", cursor="2026-01-01T00:00:00Z", error=None
        )
        set_state(s, source="jira", stream="issues", scope="PAY", error="401 Unauthorized: check JIRA_API_TOKEN")
    return ids


@pytest.fixture
def org(sqlite_url) -> dict[str, int]:
    """The organisation above in a fresh SQLite database; returns email -> person id.
    For tests that change something; read-only tests use ``shared_org``."""
    return build_org(sqlite_url)


@pytest.fixture(scope="module")
def shared_org(sqlite_template, tmp_path_factory) -> Iterator[dict[str, int]]:
    """The organisation above, once per test module: the app's caches (keyed by database and viewer)
    then carry over from test to test, as they do between a real user's clicks. Read-only tests only."""
    path = tmp_path_factory.mktemp("org") / "payoff.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    ids = build_org(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAYOFF_DATABASE_URL", url)
        yield ids


def future_exp() -> int:
    return int(time.time()) + 3600


def oidc_app(email: str | None, **claims) -> AppTest:
    """The app as an OIDC user signed in as ``email`` (``None``: signed out)."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test",
        "client_id": "payoff",
        "client_secret": "secret",
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
    }
    at.user = (
        {"is_logged_in": True, "email": email, "email_verified": True, "exp": future_exp(), **claims}
        if email
        else {"is_logged_in": False}
    )
    return at


def page_text(at: AppTest) -> str:
    """Everything a page wrote, as one string, to look for leaks (Markdown escapes removed: as it reads)."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))

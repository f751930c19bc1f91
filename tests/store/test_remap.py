"""``payoff remap`` over more payloads than one batch, on both backends."""

from sqlalchemy import delete
from sqlmodel import func, select

from payoff.store import db, writes
from payoff.store.models import AISignal, PullRequest
from payoff.store.remap import BATCH, remap
from tests.connectors.github_fake import commit, pull

REPO = "acme/api"


def test_remap_streams_many_payloads_and_rebuilds_every_row(db_url):
    total = BATCH * 2 + 17
    payloads = [
        {
            "repo": REPO,
            "pull": pull(REPO, n, login=f"dev{n % 7}", head=f"cursor/x{n}" if n % 3 == 0 else "x"),
            "reviews": [],
            "commits": [commit(f"{n:040d}", "Work")],
        }
        for n in range(1, total + 1)
    ]
    with db.session(db_url) as s:
        writes.save_page(
            s,
            source="github",
            stream="pulls",
            scope=REPO,
            rows={},
            raw=[(f"{REPO}#{p['pull']['number']}", p) for p in payloads],
            cursor="{}",
        )
    with db.session(db_url) as s:
        counts = remap(s, ["github"])
    assert counts == {"github": total}
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).select_from(PullRequest)).one() == total
        assert s.exec(select(func.count()).select_from(AISignal)).one() == total // 3
        s.execute(delete(AISignal))
        writes.upsert(
            s,
            AISignal,
            [
                {
                    "id": f"github:pr:{REPO}:1:label:claude",
                    "pr_id": f"github:pr:{REPO}:1",
                    "kind": "label",
                    "tool": "claude",
                    "confidence": "high",
                    "evidence": "stale",
                }
            ],
        )
    with db.session(db_url) as s:
        remap(s, ["github"])
    with db.session(db_url) as s:  # the stale signal no payload shows is gone, the real ones are back
        assert s.get(AISignal, f"github:pr:{REPO}:1:label:claude") is None
        assert s.exec(select(func.count()).select_from(AISignal)).one() == total // 3

"""Usage that arrives as increments (OpenTelemetry delta metrics) instead of whole days.

Vendor connectors send a day's totals, so they overwrite; a telemetry export carries only what happened
since the previous one, so it is added to the stored day. The add happens in the database
(``INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x``), so any number of receivers writing to one
database lose nothing. Each data point's key is recorded (``otel_point``) in the same transaction, and a
point whose key is already there is skipped: an exporter that sends an export again (a retry after a
lost reply) adds it once. Keys are kept for ``REPLAY_WINDOW``, far longer than exporters retry.
"""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from payoff.connectors.usage_rows import combine
from payoff.store import rollups, writes
from payoff.store.models import AIUsageDaily, Identity, OtelPoint, utcnow

REPLAY_WINDOW = timedelta(days=1)
ADDED = (
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "requests",
    "sessions",
    "lines_suggested",
    "lines_accepted",
    "lines_removed",
    "commits",
    "pull_requests",
)
CHUNK = 500  # rows per statement (SQLite binds at most 32,766 parameters)


def _chunks(items: Sequence) -> list[Sequence]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _insert(session: Session):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def _new_points(session: Session, keys: Sequence[str]) -> set[str]:
    """Record ``keys``; returns those not recorded before (by this or any concurrent transaction)."""
    session.execute(delete(OtelPoint).where(OtelPoint.received_at < utcnow() - REPLAY_WINDOW))
    insert, now, new = _insert(session), utcnow(), set()
    for chunk in _chunks(sorted(set(keys))):
        statement = (
            insert(OtelPoint)
            .values([{"id": key, "received_at": now} for key in chunk])
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(OtelPoint.id)
        )
        new.update(session.execute(statement).scalars())
    return new


def _add_rows(session: Session, rows: list[dict]) -> None:
    """Add ``rows`` to the stored days with their ids (inserting the missing ones), in the database."""
    insert, table = _insert(session), AIUsageDaily.__table__
    for chunk in _chunks(sorted(rows, key=lambda row: row["id"])):  # one lock order for every writer
        values = [
            {
                "id": r["id"],
                "person_id": r.get("person_id"),
                "identity_id": r["identity_id"],
                "day": r["day"],
                "tool": r["tool"],
                "source": r["source"],
                "extra": {},
                **{c: r.get(c, 0) for c in ADDED},
            }
            for r in chunk
        ]
        statement = insert(table).values(values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "person_id": statement.excluded.person_id,
                    **{c: table.c[c] + statement.excluded[c] for c in ADDED},
                },
            )
        )
    # ``extra`` is a JSON object of counters no SQL adds portably; the upsert above holds these rows'
    # locks until commit (SQLite: the database's), so reading and writing them back loses nothing.
    extras = {row["id"]: row["extra"] for row in rows if row.get("extra")}
    for chunk in _chunks(list(extras)):
        stored = session.execute(select(AIUsageDaily.id, AIUsageDaily.extra).where(AIUsageDaily.id.in_(chunk)))
        for id_, extra in stored.all():
            [merged] = combine([{"id": id_, "extra": extra or {}}, {"id": id_, "extra": extras[id_]}])
            session.execute(update(AIUsageDaily).where(AIUsageDaily.id == id_).values(extra=merged["extra"]))


def add_points(
    session: Session,
    *,
    identities: list[dict],
    points: Sequence[tuple[str, dict]],
    source: str,
    stream: str,
    scope: str,
) -> int:
    """Add the usage rows of the ``(key, row)`` points not added before; returns how many were new.

    Identities not yet stored are written (and matched to people) first; the stream's state records
    the success, all in the caller's transaction.
    """
    known = set(session.execute(select(Identity.id).where(Identity.id.in_([i["id"] for i in identities]))).scalars())
    writes.write_rows(session, {"identity": [i for i in identities if i["id"] not in known]})
    new = _new_points(session, [key for key, _ in points])
    rows = [dict(row) for row in combine([row for key, row in points if key in new])]
    writes.attach_people(session, rows)
    _add_rows(session, rows)
    rollups.refresh(session, rollups.touched(rows))
    writes.set_state(session, source=source, stream=stream, scope=scope, error=None)
    return len(new)

"""Every write to the domain tables goes through here: connectors, imports and the demo alike.

Rows arrive as plain dicts keyed by column name (connectors never import the models). Writes are
upserts on the stable id, so writing the same rows twice changes nothing.
"""

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from store.models import (
    AgentRun,
    AIUsageDaily,
    MODELS,
    Identity,
    Person,
    PullRequest,
    PullRequestReview,
    RawPayload,
    Seat,
    SyncState,
    Ticket,
    utcnow,
)

BATCH = 500

# Tables that belong to a person through ``identity_id``; their ``person_id`` follows the identity.
PERSONAL = (AIUsageDaily, AgentRun, Seat, PullRequest, PullRequestReview, Ticket)


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Each column's default, so that every row of a batch has every key (executemany needs it).

    An autoincrement key is left out: the database numbers it.
    """
    values: dict[str, Any] = {}
    generated = {c.name for c in model.__table__.primary_key.columns if c.autoincrement is True
                 or (c.autoincrement == "auto" and c.type.python_type is int)}
    for name, info in model.model_fields.items():
        if name in generated:
            continue
        if info.default_factory is not None:
            values[name] = info.default_factory()
        elif not info.is_required():
            values[name] = info.default
    return values


def _insert(session: Session, tbl: Table):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(tbl)


def _chunks(rows: Iterable[dict], size: int) -> Iterable[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert(
    session: Session,
    model: type[SQLModel] | str,
    rows: Iterable[Mapping[str, Any]],
    *,
    on: Sequence[str] = (),
    keep: Sequence[str] = (),
) -> int:
    """Insert ``rows`` or update the existing row with the same key; returns the row count.

    ``model`` is a table model or its table name; the key is the primary key unless ``on`` names
    other unique columns. Columns named in ``keep`` are written on insert but never overwritten.
    """
    if isinstance(model, str):
        model = MODELS[model]
    tbl: Table = model.__table__
    defaults = _defaults(model)
    primary = [c.name for c in tbl.primary_key.columns]
    keys = list(on) or primary
    count = 0
    for chunk in _chunks(({**defaults, **row} for row in rows), BATCH):
        stmt = _insert(session, tbl)
        changing = {c: stmt.excluded[c] for c in chunk[0]
                    if c not in keys and c not in keep and c not in primary}
        stmt = (
            stmt.on_conflict_do_update(index_elements=keys, set_=changing)
            if changing
            else stmt.on_conflict_do_nothing(index_elements=keys)
        )
        session.execute(stmt, chunk)
        count += len(chunk)
    return count


def match_identities(session: Session) -> None:
    """Tie unmatched identities to the person whose email is their id or label."""
    email = func.lower(Person.email)
    for column in (Identity.external_id, Identity.label):
        person = select(Person.id).where(email == func.lower(column)).scalar_subquery()
        session.execute(
            update(Identity).where(Identity.person_id.is_(None), column.is_not(None)).values(person_id=person)
        )


def rematch(session: Session) -> None:
    """Let every personal row follow its identity (after people or identities changed)."""
    match_identities(session)
    for model in PERSONAL:
        person = select(Identity.person_id).where(Identity.id == model.identity_id).scalar_subquery()
        session.execute(update(model).where(model.identity_id.is_not(None)).values(person_id=person))


def _attach_people(session: Session, rows: list[dict]) -> None:
    ids = {row["identity_id"] for row in rows if row.get("identity_id")}
    if not ids:
        return
    found = dict(session.execute(select(Identity.id, Identity.person_id).where(Identity.id.in_(ids))).all())
    for row in rows:
        row["person_id"] = found.get(row.get("identity_id"))


def save_page(
    session: Session,
    *,
    source: str,
    stream: str,
    scope: str,
    rows: Mapping[str, list[dict]],
    raw: Iterable[tuple[str, dict]] = (),
    cursor: str | None = None,
) -> None:
    """Write one page of a sync: identities, raw payloads, domain rows and the cursor, together.

    ``rows`` maps table names to row dicts, written in the order given (parents before children).
    The caller's transaction makes the page atomic: the cursor never moves without its rows.
    """
    identities = rows.get("identity", [])
    upsert(session, Identity, identities, keep=("person_id", "first_seen"))
    if identities:
        match_identities(session)
    upsert(
        session,
        RawPayload,
        (
            {"id": f"{source}:{stream}:{oid}", "source": source, "stream": stream, "scope": scope,
             "object_id": oid, "payload": payload, "fetched_at": utcnow()}
            for oid, payload in raw
        ),
    )
    for name, batch in rows.items():
        if name == "identity":
            continue
        if MODELS[name] in PERSONAL:
            batch = [dict(row) for row in batch]
            _attach_people(session, batch)
        upsert(session, name, batch)
    set_state(session, source=source, stream=stream, scope=scope, cursor=cursor, error=None)


def set_state(
    session: Session, *, source: str, stream: str, scope: str, cursor: str | None = None, error: str | None
) -> None:
    """Record a stream's success (moving the cursor when one is given) or its last error."""
    now = utcnow()
    row: dict[str, Any] = {"id": f"{source}:{stream}:{scope}", "source": source, "stream": stream,
                           "scope": scope, "updated_at": now, "last_error": error}
    keep: tuple[str, ...] = ()
    if error is None:
        row["last_success"] = now
        if cursor is not None:
            row["cursor"] = cursor
        else:
            keep = ("cursor",)
    else:
        keep = ("cursor", "last_success")
    upsert(session, SyncState, [row], keep=keep)


def cursor(session: Session, *, source: str, stream: str, scope: str) -> str | None:
    state = session.get(SyncState, f"{source}:{stream}:{scope}")
    return state.cursor if state else None

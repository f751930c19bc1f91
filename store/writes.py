"""Every write to the domain tables goes through here: connectors, imports and the demo alike.

Rows arrive as plain dicts keyed by column name (connectors never import the models). Writes are
upserts on the stable id, so writing the same rows twice changes nothing.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, column, func, select, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from payoff.store import rollups
from payoff.store.models import (
    AgentRun,
    AIUsageDaily,
    DERIVED_COLUMNS,
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

BATCH = 5000

# Tables that belong to a person through ``identity_id``; their ``person_id`` follows the identity.
PERSONAL = (AIUsageDaily, AgentRun, Seat, PullRequest, PullRequestReview, Ticket)


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Each column's default, so that every row of a batch has every key (executemany needs it).

    An autoincrement key is left out: the database numbers it.
    """
    values: dict[str, Any] = {}
    generated = {
        c.name
        for c in model.__table__.primary_key.columns
        if c.autoincrement is True or (c.autoincrement == "auto" and c.type.python_type is int)
    }
    for name, info in model.model_fields.items():
        if name in generated:
            continue
        if info.default_factory is not None:
            values[name] = info.default_factory()
        elif not info.is_required():
            values[name] = info.default
    return values


def _chunks(rows: Iterable[dict], size: int) -> Iterable[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _on_conflict(stmt, keys: Sequence[str], changing: Sequence[str]):
    if changing:
        return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in changing})
    return stmt.on_conflict_do_nothing(index_elements=keys)


def _once_per_object(to: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``to``, computed once per distinct object: rows of a batch share objects (every row's default
    ``extra`` is the same empty dict, rows of one day the same date), and encoding each again was a
    third of the import's Python time. Keyed by identity, with the object kept, so a key is never reused."""
    memo: dict[int, tuple[Any, Any]] = {}

    def convert(value: Any) -> Any:
        hit = memo.get(id(value))
        if hit is None:
            hit = memo[id(value)] = (value, to(value))
        return hit[1]

    return convert


def _processor(dialect, sql_type, json_as_text: bool) -> Callable[[Any], Any] | None:
    """How a column's values become driver values; ``json_as_text``: JSON as its text (what COPY's text
    format sends), rather than psycopg's wrapper, which COPY would encode again for every row."""
    if json_as_text and isinstance(sql_type, JSON):
        return dialect._json_serializer or json.dumps
    return sql_type.dialect_impl(dialect).bind_processor(dialect)


def _tuples(
    session: Session, tbl: Table, columns: Sequence[str], chunk: list[dict], json_as_text: bool = False
) -> list[tuple]:
    """Rows as tuples of driver values in ``columns`` order; only columns whose type needs it are converted."""
    dialect = session.get_bind().dialect
    convert = [
        (i, _once_per_object(to))
        for i, c in enumerate(columns)
        if (to := _processor(dialect, tbl.c[c].type, json_as_text)) is not None
    ]
    values = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))
    if not convert:
        return [values(row) for row in chunk]
    rows = []
    for row in chunk:
        row = list(values(row))
        for i, to in convert:
            row[i] = to(row[i])
        rows.append(tuple(row))
    return rows


def _upsert_sqlite(
    session: Session, tbl: Table, columns: list[str], keys: Sequence[str], changing: list[str], chunk: list[dict]
) -> None:
    """One compiled statement, executed for every row by sqlite3's executemany."""
    compiled = _on_conflict(sqlite.insert(tbl), keys, changing).compile(
        dialect=session.get_bind().dialect, column_keys=columns
    )
    session.connection().exec_driver_sql(str(compiled), _tuples(session, tbl, compiled.positiontup, chunk))


def _unique(chunk: list[dict], keys: Sequence[str], keep: Sequence[str], updating: bool) -> list[dict]:
    """One row per key, with the result executing the rows one by one would give.

    Updating: the last row wins, but ``keep`` columns come from the first (later rows only update).
    Not updating: the first row wins.
    """
    key_of = itemgetter(*keys)  # a row's key (its value alone when there is one key column)
    merged: dict[Any, dict] = {}
    for row in chunk:
        key = key_of(row)
        first = merged.get(key)
        if first is None:
            merged[key] = row
        elif updating:
            merged[key] = {**row, **{c: first[c] for c in keep if c in first}}
    return list(merged.values())


def _upsert_postgres(
    session: Session, tbl: Table, columns: list[str], keys: Sequence[str], changing: list[str], chunk: list[dict]
) -> None:
    """COPY the chunk into a temporary table, then one INSERT ... SELECT ... ON CONFLICT.

    Row-by-row inserts cost a round trip and a plan each; COPY streams the rows. ON CONFLICT may touch
    a row once per statement, hence ``_unique`` first.
    """
    staging = f"_upsert_{tbl.name}"
    names = ", ".join(f'"{c}"' for c in columns)
    connection = session.connection()
    connection.exec_driver_sql(
        f'CREATE TEMP TABLE "{staging}" ON COMMIT DROP AS SELECT {names} FROM "{tbl.name}" WITH NO DATA'
    )
    with (
        connection.connection.driver_connection.cursor() as cursor,
        cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy,
    ):
        for row in _tuples(session, tbl, columns, chunk, json_as_text=True):
            copy.write_row(row)
    source = table(staging, *(column(c) for c in columns))
    session.execute(_on_conflict(postgresql.insert(tbl).from_select(columns, select(*source.c)), keys, changing))
    connection.exec_driver_sql(f'DROP TABLE "{staging}"')


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
    other unique columns. Columns named in ``keep`` are written on insert but never overwritten, nor are
    the columns ``store.linking`` derives (``DERIVED_COLUMNS``), which it sets with its own updates.
    This is the bulk path of every sync and import, so it bypasses per-parameter ORM processing:
    sqlite3's executemany on SQLite, COPY through a staging table on PostgreSQL.
    """
    if isinstance(model, str):
        model = MODELS[model]
    tbl: Table = model.__table__
    keep = (*keep, *DERIVED_COLUMNS.get(tbl.name, ()))
    defaults = _defaults(model)
    primary = [c.name for c in tbl.primary_key.columns]
    keys = list(on) or primary
    postgres = session.get_bind().dialect.name == "postgresql"
    count, spans = 0, {}
    for chunk in _chunks(({**defaults, **row} for row in rows), BATCH):
        columns = list(chunk[0])
        unknown = set(columns) - set(tbl.c.keys())
        if unknown:
            raise ValueError(f"{tbl.name} has no column(s) {', '.join(sorted(unknown))}")
        changing = [c for c in columns if c not in keys and c not in keep and c not in primary]
        if postgres:
            _upsert_postgres(session, tbl, columns, keys, changing, _unique(chunk, keys, keep, bool(changing)))
        else:
            _upsert_sqlite(session, tbl, columns, keys, changing, chunk)
        if model is AIUsageDaily:
            spans = rollups.touched(chunk, spans)
        count += len(chunk)
    if model is AIUsageDaily:  # the rollup follows in the same transaction, once for the whole call
        rollups.refresh(session, spans)
    return count


def match_identities(session: Session) -> None:
    """Tie unmatched identities to the person whose email is their id or label."""
    email = func.lower(Person.email)
    for said in (Identity.external_id, Identity.label):
        person = select(Person.id).where(email == func.lower(said)).scalar_subquery()
        session.execute(
            update(Identity).where(Identity.person_id.is_(None), said.is_not(None)).values(person_id=person)
        )


def rematch(session: Session) -> None:
    """Let every personal row follow its identity (after people or identities changed)."""
    match_identities(session)
    for model in PERSONAL:
        person = select(Identity.person_id).where(Identity.id == model.identity_id).scalar_subquery()
        session.execute(update(model).where(model.identity_id.is_not(None)).values(person_id=person))
    rollups.rebuild(session)


def attach_people(session: Session, rows: list[dict]) -> None:
    """Set each row's ``person_id`` to the person its ``identity_id`` is matched to (None while unmatched)."""
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
    """Write one page of a sync: raw payloads, identities, domain rows and the cursor, together.

    ``rows`` maps table names to row dicts, written in the order given (parents before children).
    The caller's transaction makes the page atomic: the cursor never moves without its rows.
    """
    upsert(
        session,
        RawPayload,
        (
            {
                "id": f"{source}:{stream}:{oid}",
                "source": source,
                "stream": stream,
                "scope": scope,
                "object_id": oid,
                "payload": payload,
                "fetched_at": utcnow(),
            }
            for oid, payload in raw
        ),
    )
    write_rows(session, rows)
    set_state(session, source=source, stream=stream, scope=scope, cursor=cursor, error=None)


def write_rows(session: Session, rows: Mapping[str, list[dict]]) -> None:
    """Upsert domain rows keyed by table name: identities first, then the tables in the order given,
    each personal row tied to the person its identity matches (a sync page and ``payoff remap`` alike)."""
    identities = rows.get("identity", [])
    # A source that names no label (GitHub logins carry no email) must not erase one an import gave.
    upsert(session, Identity, [i for i in identities if i.get("label")], keep=("person_id", "first_seen"))
    upsert(session, Identity, [i for i in identities if not i.get("label")], keep=("person_id", "first_seen", "label"))
    if identities:
        match_identities(session)
    for name, batch in rows.items():
        if name == "identity":
            continue
        if MODELS[name] in PERSONAL:
            batch = [dict(row) for row in batch]
            attach_people(session, batch)
        upsert(session, name, batch)


def set_state(
    session: Session, *, source: str, stream: str, scope: str, cursor: str | None = None, error: str | None
) -> None:
    """Record a stream's success (moving the cursor when one is given) or its last error."""
    now = utcnow()
    row: dict[str, Any] = {
        "id": f"{source}:{stream}:{scope}",
        "source": source,
        "stream": stream,
        "scope": scope,
        "updated_at": now,
        "last_error": error,
    }
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

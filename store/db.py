"""Engine, sessions and migrations. The database URL comes from ``PAYOFF_DATABASE_URL``."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from payoff.store.config import settings

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(url: str | None = None) -> str:
    return url or settings().database_url


def engine(url: str | None = None) -> Engine:
    """One engine per URL for the life of the process (``None``: the configured URL, read now)."""
    return _engine(database_url(url))


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    eng = create_engine(url, pool_pre_ping=True)
    event.listen(eng, "connect", _postgresql_settings)
    return eng


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 64 MiB of page cache per connection (the default is 2 MiB), allocated only as pages are read: an
    # import's index inserts land all over the indexes, and with 2 MiB they kept re-reading evicted pages
    # (new rows imported about twice as fast, docs/performance.md).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _postgresql_settings(dbapi_connection, _record) -> None:
    # JIT compilation pays off for long analytic queries over huge tables; ours read an index range and
    # aggregate, and compiling them cost more than running them (about 1 s per query at 10,000 people).
    # The default 4 MB of sort memory sent a year of weekly sums to disk (docs/performance.md).
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET work_mem = '64MB'")
    dbapi_connection.commit()


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return cfg


class SchemaMismatch(RuntimeError):
    """The database's schema revision is not the one this Payoff was built for."""


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    """The revision the database was migrated to (``None``: never migrated)."""
    with engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _refuse_unknown(current: str | None) -> None:
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaMismatch(
            f"The database is at revision {current}, which this Payoff does not know: a newer Payoff migrated it. "
            "Install that version (or newer) of Payoff."
        )


def check(url: str | None = None) -> None:
    """Refuse to run on a database whose schema is not this Payoff's (the dashboard never migrates by itself:
    several replicas may share one database, and a schema change is an operator's step)."""
    current, head = current_revision(url), head_revision()
    _refuse_unknown(current)
    if current != head:
        raise SchemaMismatch(
            f"The database is at revision {current or 'none (empty)'}, this Payoff needs {head}: "
            "run `payoff db upgrade`."
        )


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the newest migration (idempotent). Revisions are append-only: one that has been
    released is never edited, so every database reaches the same schema by the same chain."""
    _refuse_unknown(current_revision(url))
    cfg = alembic_config(url)
    with engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def schema_drift(url: str | None = None) -> list[str]:
    """Differences between the database's tables and this Payoff's models, one line each (empty: none)."""
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    import payoff.store.models  # noqa: F401  (registers every table on the metadata)

    with engine(url).connect() as connection:
        return [str(change) for change in compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)]


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine(url), expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise

"""Engine, sessions and migrations. The database URL comes from ``PAYOFF_DATABASE_URL``."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
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


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    cfg = alembic_config(url)
    with engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


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

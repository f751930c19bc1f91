"""One sync at a time per stream: ``payoff sync`` workers on several machines (or a cron run that overlaps
the previous one) never write the same source, stream and scope at once.

The lock belongs to a connection or an open file, not to a row, so it goes away with its holder however
that ends (exit, crash, killed pod): no stale lock to clean up.

* PostgreSQL: a session-level advisory lock, held on its own connection outside any transaction.
* SQLite: ``flock`` on a file beside the database (SQLite serves one machine; flock covers its processes).
"""

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from payoff.store import db


def _key(name: str) -> int:
    """A stable signed 64-bit number for the name (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def _postgres(url: str, name: str) -> Iterator[bool]:
    with db.engine(url).connect() as connection:
        acquired = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _key(name)}).scalar()
        connection.commit()  # the lock outlives the transaction; an idle open transaction would not be harmless
        try:
            yield bool(acquired)
        finally:
            if acquired:  # before the connection goes back to the pool
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _key(name)})
                connection.commit()


@contextmanager
def _file(path: Path, name: str) -> Iterator[bool]:
    lock = path.with_name(f"{path.name}.sync-{_key(name) & 0xFFFFFFFFFFFF:012x}.lock")
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def stream_lock(url: str | None, *, source: str, stream: str, scope: str) -> Iterator[bool]:
    """Try to take the stream's lock without waiting; yields whether this caller holds it."""
    url = db.database_url(url)
    name = f"payoff-sync:{source}:{stream}:{scope}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with _postgres(url, name) as acquired:
            yield acquired
    elif parsed.database and parsed.database != ":memory:":
        with _file(Path(parsed.database), name) as acquired:
            yield acquired
    else:  # an in-memory database lives in one process: nothing else can sync into it
        yield True

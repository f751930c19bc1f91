"""The sync loop every connector shares.

A connector is a set of *streams*. A stream reads its cursor, yields pages, and each page carries the
domain rows (plain dicts keyed by table name), the raw payloads behind them and the cursor to resume
from. The sink (the store) writes each page with its cursor in one transaction, so a run that dies
mid-way resumes where it stopped with nothing lost and nothing doubled.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class SourceError(Exception):
    """A failure the user can act on (bad credentials, unknown org, unreachable server).

    The message is shown as it is: it must never contain a token.
    """


class RateLimited(SourceError):
    """The source asked us to stop until ``resume_at``."""

    def __init__(self, message: str, resume_at: datetime | None = None):
        super().__init__(message)
        self.resume_at = resume_at


@dataclass
class Page:
    rows: dict[str, list[dict]] = field(default_factory=dict)
    raw: list[tuple[str, dict]] = field(default_factory=list)
    cursor: str | None = None
    label: str = ""

    def add(self, rows: dict[str, list[dict]]) -> None:
        """Merge one object's rows into the page; a row whose id is already there replaces it (one
        batch must not upsert the same id twice), and tables keep their first-seen order (parents first)."""
        for name, batch in rows.items():
            merged = {row["id"]: row for row in self.rows.get(name, [])}
            merged.update((row["id"], row) for row in batch)
            self.rows[name] = list(merged.values())

    @property
    def count(self) -> int:
        return sum(len(batch) for name, batch in self.rows.items() if name != "identity")


class Stream(Protocol):
    source: str
    name: str
    scope: str

    def pages(self, cursor: str | None) -> Iterator[Page]: ...


class Sink(Protocol):
    def cursor(self, *, source: str, stream: str, scope: str) -> str | None: ...

    def save_page(self, *, source: str, stream: str, scope: str, page: Page) -> None: ...

    def fail(self, *, source: str, stream: str, scope: str, error: str) -> None: ...

    def lock(self, *, source: str, stream: str, scope: str) -> AbstractContextManager[bool]:
        """Try to become the only run of this stream; the context yields whether that worked."""
        ...


@dataclass
class Result:
    pages: int = 0
    rows: int = 0
    skipped: bool = False  # another run of the same stream was in progress


def run(stream: Stream, sink: Sink, on_page: Callable[[Page], None] = lambda page: None) -> Result:
    """Sync one stream from its stored cursor, unless another run of it is in progress (then skip it:
    the other run is doing the same work, and waiting would only pile up scheduled runs)."""
    key = {"source": stream.source, "stream": stream.name, "scope": stream.scope}
    with sink.lock(**key) as alone:
        return _run(stream, sink, key, on_page) if alone else Result(skipped=True)


def _run(stream: Stream, sink: Sink, key: dict[str, str], on_page: Callable[[Page], None]) -> Result:
    """Record the error on the stream's state if it fails."""
    result = Result()
    try:
        for page in stream.pages(sink.cursor(**key)):
            sink.save_page(**key, page=page)
            result.pages += 1
            result.rows += page.count
            on_page(page)
    except Exception as error:
        sink.fail(**key, error=f"{type(error).__name__}: {error}")
        raise
    return result

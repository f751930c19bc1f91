"""The store as the destination of a connector's sync loop (see ``connectors.sync``)."""

from payoff.connectors.sync import Page
from payoff.store import db, locks, writes
from payoff.store.config import settings

MAX_ERROR = 2000  # characters of an error kept in sync_state.last_error, after scrubbing


class StoreSink:
    def __init__(self, url: str | None = None):
        self.url = url

    def cursor(self, *, source: str, stream: str, scope: str) -> str | None:
        with db.session(self.url) as s:
            return writes.cursor(s, source=source, stream=stream, scope=scope)

    def save_page(self, *, source: str, stream: str, scope: str, page: Page) -> None:
        with db.session(self.url) as s:
            writes.save_page(
                s, source=source, stream=stream, scope=scope, rows=page.rows, raw=page.raw, cursor=page.cursor
            )

    def lock(self, *, source: str, stream: str, scope: str):
        return locks.stream_lock(self.url, source=source, stream=stream, scope=scope)

    def fail(self, *, source: str, stream: str, scope: str, error: str) -> None:
        """Record the error, scrubbed of every configured credential (an error body may echo one) and then cut."""
        with db.session(self.url) as s:
            writes.set_state(s, source=source, stream=stream, scope=scope, error=settings().scrub(error)[:MAX_ERROR])

"""A sink that keeps the latest row per table and id in memory, for tests whose subject is a stream's
paging and cursor rather than the store."""

from contextlib import nullcontext


class MemorySink:
    def __init__(self):
        self.saved_cursor: str | None = None
        self.rows: dict[str, dict[str, dict]] = {}

    def cursor(self, **key) -> str | None:
        return self.saved_cursor

    def save_page(self, *, page, **key) -> None:
        for table, batch in page.rows.items():
            self.rows.setdefault(table, {}).update((row["id"], row) for row in batch)
        self.saved_cursor = page.cursor or self.saved_cursor

    def fail(self, **key) -> None:
        pass

    def lock(self, **key):
        return nullcontext(True)

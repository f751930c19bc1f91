"""Progress reporting for the store's long writes (the demo, imports) without the store knowing about terminals."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from payoff.connectors.files.reading import Progress, quiet  # noqa: F401  (the one callback type, shared)
from payoff.store import writes


def upsert_in_steps(
    session: Session,
    table: str,
    rows: Sequence[dict[str, Any]],
    progress: Progress,
    *,
    step: int = 20_000,
    **options: Any,
) -> int:
    """``writes.upsert`` in slices of ``step`` rows, reporting after each slice; returns the row count."""
    for start in range(0, len(rows), step):
        writes.upsert(session, table, rows[start : start + step], **options)
        progress(f"Writing {table}", min(len(rows), start + step), len(rows))
    return len(rows)

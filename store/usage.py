"""Usage that arrives as increments (OpenTelemetry delta metrics) instead of whole days.

Vendor connectors send a day's totals, so they overwrite; a telemetry export carries only what
happened since the previous one, so it is added to the stored day. Callers serialise the adds
(the receiver holds one lock), because a read-then-write would otherwise lose concurrent exports.
"""

from collections.abc import Mapping

from sqlmodel import Session, select

from payoff.connectors.usage_rows import combine
from payoff.store import writes
from payoff.store.models import AIUsageDaily


def add_daily_usage(session: Session, *, rows: Mapping[str, list[dict]], source: str, stream: str,
                    scope: str) -> None:
    """Add ``rows["ai_usage_daily"]`` to the stored rows with the same ids and save them with their identities."""
    increments = rows.get("ai_usage_daily", [])
    ids = [row["id"] for row in increments]
    stored = session.exec(select(AIUsageDaily).where(AIUsageDaily.id.in_(ids))).all() if ids else []
    current = [row.model_dump(exclude={"person_id"}) for row in stored]
    writes.save_page(session, source=source, stream=stream, scope=scope,
                     rows={"identity": rows.get("identity", []), "ai_usage_daily": combine(current + increments)})

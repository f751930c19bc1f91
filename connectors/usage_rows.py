"""Row builders shared by the AI-usage mappings, so every source writes the same id scheme."""

from datetime import date
from typing import Any

from payoff.connectors.numbers import number


def identity(source: str, external_id: str, label: str | None = None) -> dict:
    """Who a source says someone is; matched to a person by email (``external_id`` or ``label``)."""
    return {
        "id": f"{source}:{external_id}",
        "source": source,
        "external_id": external_id,
        "label": label or external_id,
    }


def daily_usage(who: dict, day: date, *, tool: str, source: str, **values: Any) -> dict:
    """One ``ai_usage_daily`` row: id ``<identity id>:<day>:<tool>`` so a re-sync overwrites, never doubles."""
    return {
        "id": f"{who['id']}:{day.isoformat()}:{tool}",
        "identity_id": who["id"],
        "day": day,
        "tool": tool,
        "source": source,
        **values,
    }


def total(record: dict, *keys: str) -> int:
    """Sum of optional integer counters; vendors omit or null the ones that did not happen, and some send
    them as numeric strings."""
    return sum(int(number(record.get(key)) or 0) for key in keys)


def combine(rows: list[dict]) -> list[dict]:
    """Rows with the same id added up (vendors split one person-day by model, terminal or page)."""
    merged: dict[str, dict] = {}
    for row in rows:
        merged[row["id"]] = _add(merged[row["id"]], row) if row["id"] in merged else row
    return list(merged.values())


def _add(left: dict, right: dict) -> dict:
    out = dict(left)
    for key, value in right.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = _add(old, value)
        elif isinstance(value, (int, float)) and isinstance(old, (int, float)) and not isinstance(value, bool):
            out[key] = old + value
        elif old is None:
            out[key] = value
    return out

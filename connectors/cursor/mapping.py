"""Cursor payloads -> rows. Pure.

Daily usage comes in two shapes and every counter is optional:
* older: ``date`` (epoch ms), ``email``, ``isActive``, ``totalLinesAdded``, ``acceptedLinesAdded``, ...
* newer: ``day`` (YYYY-MM-DD), ``userId``, ``linesAdded``, ...
A person is keyed by email when the row has one (so both shapes land on one identity), else by user id.
Numbers come as numbers or numeric strings (epochs too: ``"1754879994000"``). Every field not in a column
is kept in ``extra`` as sent (``totalLinesDeleted``, tabs, applies, ``mostUsedModel`` …).

Token-level usage events (``/teams/filtered-usage-events``: ``timestamp``, ``userEmail``, ``model``,
``kind``, ``tokenUsage{inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens, totalCents}`` …) are
added up per member and day into the same row: input and output tokens, ``cost_usd`` from ``totalCents``
(usage-based spend), cache tokens and per-model and per-kind totals in ``extra``.
"""

from datetime import date

from payoff.connectors.daily import from_epoch_ms
from payoff.connectors.numbers import number
from payoff.connectors.usage_rows import combine, daily_usage, identity, total

SOURCE = TOOL = "cursor"
SEAT_PRICE_USD = 40.0  # Cursor Teams list price per member and month; the API does not say the plan
REQUESTS = ("composerRequests", "chatRequests", "agentRequests", "cmdkUsages")
# Fields that fill a column or name the row; the rest of a record goes to ``extra``.
COLUMNS = {
    "date",
    "day",
    "email",
    "userId",
    "isActive",
    "totalLinesAdded",
    "acceptedLinesAdded",
    "linesAdded",
    "acceptedLinesDeleted",
    "linesDeleted",
    *REQUESTS,
}


def record_day(record: dict) -> date | None:
    """The record's UTC day (``day``, or ``date``/``timestamp`` in epoch ms); None when unreadable."""
    try:
        if record.get("day"):
            return date.fromisoformat(record["day"])
        return from_epoch_ms(record.get("date", record.get("timestamp")))
    except (TypeError, ValueError):
        return None


def member(record: dict) -> dict:
    email = record.get("email") or record.get("userEmail")
    if email:
        return identity(SOURCE, email.lower(), email)
    return identity(SOURCE, str(record["userId"]))


def usage(record: dict) -> dict | None:
    """The day's usage row, or None for a member who did nothing that day (the seat stays visible)."""
    requests = total(record, *REQUESTS)
    accepted = total(record, "acceptedLinesAdded") or total(record, "linesAdded")
    if record.get("isActive") is False and not (requests or accepted):
        return None
    extra = {key: value for key, value in record.items() if key not in COLUMNS and value not in (None, "", 0)}
    return daily_usage(
        member(record),
        record_day(record),
        tool=TOOL,
        source=SOURCE,
        requests=requests,
        lines_suggested=total(record, "totalLinesAdded"),
        lines_accepted=accepted,
        lines_removed=total(record, "acceptedLinesDeleted") or total(record, "linesDeleted"),
        extra=extra,
    )


def tokens(event: dict) -> dict | None:
    """One usage event as a usage row to add up; None for an event without a readable time or person."""
    day = record_day(event)
    if day is None or not (event.get("userEmail") or event.get("userId")):
        return None
    used = event.get("tokenUsage") or {}
    counts = {
        "input": total(used, "inputTokens"),
        "output": total(used, "outputTokens"),
        "cache_write": total(used, "cacheWriteTokens"),
        "cache_read": total(used, "cacheReadTokens"),
    }
    extra = {
        "usage_events": 1,
        "cache_write_tokens": counts["cache_write"],
        "cache_read_tokens": counts["cache_read"],
        "events_by_kind": {str(event.get("kind") or "unknown"): 1},
    }
    if event.get("model"):
        extra["tokens_by_model"] = {event["model"]: counts}
    if number(event.get("requestsCosts")):
        extra["request_costs"] = number(event["requestsCosts"])
    return daily_usage(
        member(event),
        day,
        tool=TOOL,
        source=SOURCE,
        input_tokens=counts["input"],
        output_tokens=counts["output"],
        cost_usd=(number(used.get("totalCents")) or 0) / 100,
        extra=extra,
    )


def daily_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"data": [records of one day], "events": [its usage events]}`` -> identities and daily usage."""
    records, events = payload["data"], payload.get("events") or []
    dated = [event for event in events if event.get("userEmail") or event.get("userId")]
    people = {who["id"]: who for who in map(member, [*records, *dated])}
    rows = [*map(usage, records), *map(tokens, events)]
    return {"identity": list(people.values()), "ai_usage_daily": combine([row for row in rows if row is not None])}


def spend_rows(payload: dict) -> dict[str, list[dict]]:
    """One page of ``/teams/spend`` -> each member's seat with the cycle's usage-based spend."""
    cycle = payload.get("subscriptionCycleStart")
    started = record_day({"date": cycle}) if cycle else None
    people, seats = [], []
    for entry in payload["teamMemberSpend"]:
        who = member(entry)
        people.append(who)
        seats.append(
            {
                "id": f"cursor:seat:{who['external_id']}",
                "tool": TOOL,
                "identity_id": who["id"],
                "plan_type": entry.get("role"),
                "monthly_cost_usd": SEAT_PRICE_USD,
                "cycle_started_on": started,
                "cycle_spend_usd": total(entry, "spendCents") / 100,
            }
        )
    return {"identity": people, "seat": seats}


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """Rows again from a stored raw payload (``payoff remap``)."""
    return spend_rows(payload) if stream == "spend" else daily_rows(payload)

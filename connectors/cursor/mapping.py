"""Cursor payloads -> rows. Pure.

Daily usage comes in two shapes and every counter is optional:
* older: ``date`` (epoch ms), ``email``, ``isActive``, ``totalLinesAdded``, ``acceptedLinesAdded``, ...
* newer: ``day`` (YYYY-MM-DD), ``userId``, ``linesAdded``, ...
A person is keyed by email when the row has one (so both shapes land on one identity), else by user id.
"""

from datetime import date

from payoff.connectors.daily import from_epoch_ms
from payoff.connectors.usage_rows import combine, daily_usage, identity, total

SOURCE = TOOL = "cursor"
SEAT_PRICE_USD = 40.0  # Cursor Teams list price per member and month; the API does not say the plan
REQUESTS = ("composerRequests", "chatRequests", "agentRequests", "cmdkUsages")
EXTRA = ("totalTabsShown", "totalTabsAccepted", "totalApplies", "totalAccepts", "totalRejects",
         "usageBasedReqs", "subscriptionIncludedReqs", "apiKeyReqs", "bugbotUsages")


def record_day(record: dict) -> date:
    if record.get("day"):
        return date.fromisoformat(record["day"])
    return from_epoch_ms(record["date"])


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
    extra = {key: record[key] for key in EXTRA if record.get(key)}
    if record.get("mostUsedModel"):
        extra["most_used_model"] = record["mostUsedModel"]
    return daily_usage(member(record), record_day(record), tool=TOOL, source=SOURCE, requests=requests,
                       lines_suggested=total(record, "totalLinesAdded"), lines_accepted=accepted,
                       lines_removed=total(record, "acceptedLinesDeleted") or total(record, "linesDeleted"),
                       extra=extra)


def daily_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"data": [records of one day]}`` -> identities and daily usage."""
    records = payload["data"]
    people = {who["id"]: who for who in map(member, records)}
    return {"identity": list(people.values()),
            "ai_usage_daily": combine([row for row in map(usage, records) if row is not None])}


def spend_rows(payload: dict) -> dict[str, list[dict]]:
    """One page of ``/teams/spend`` -> each member's seat with the cycle's usage-based spend."""
    cycle = payload.get("subscriptionCycleStart")
    started = from_epoch_ms(cycle) if cycle else None
    people, seats = [], []
    for entry in payload["teamMemberSpend"]:
        who = member(entry)
        people.append(who)
        seats.append({"id": f"cursor:seat:{who['external_id']}", "tool": TOOL, "identity_id": who["id"],
                      "plan_type": entry.get("role"), "monthly_cost_usd": SEAT_PRICE_USD, "cycle_started_on": started,
                      "cycle_spend_usd": total(entry, "spendCents") / 100})
    return {"identity": people, "seat": seats}


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """Rows again from a stored raw payload (``payoff remap``)."""
    return spend_rows(payload) if stream == "spend" else daily_rows(payload)

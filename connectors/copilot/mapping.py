"""Copilot payloads -> rows. Pure.

People are GitHub logins (``github:<login>``), the same identities the pull-request connector writes,
so Copilot usage and merged PRs meet on one person. A seat's monthly cost is GitHub's list price for
its plan (Business $19, Enterprise $39), so assigned-but-unused seats show up as a cost; a seat whose
payload names no plan costs the organisation's default (``default_seat_usd`` in the payload) and is
flagged ``price_assumed``. A seat payload with ``ended_at`` is one the latest seat list no longer held.

Usage units: ``requests`` counts user-initiated interactions (prompts in chat, agent and the CLI), never
the CLI's internal model requests (``totals_by_cli.request_count``, kept in ``extra``). ``ai_credits`` are
the premium requests GitHub bills by use (``ai_credits_used``), priced at ``credit_price_usd`` (recorded
in the payload at sync) into ``cost_usd``. ``lines_suggested`` holds lines *suggested to add*,
``lines_accepted`` lines *added* (by any feature, agent edits included: not a subset of the suggested),
``lines_removed`` lines deleted. Every field not in a column is kept in ``extra`` as sent.
"""

from datetime import UTC, date, datetime

from payoff.connectors.numbers import number
from payoff.connectors.usage_rows import daily_usage, total

SOURCE, TOOL = "copilot", "copilot"
SEAT_PRICES_USD = {"business": 19.0, "enterprise": 39.0}
ACTIVITY = ("code_generation_activity_count", "code_acceptance_activity_count", "user_initiated_interaction_count")


def login(user: str) -> dict:
    """The identity exactly as the pull-request connector writes it (lower-cased id, no label)."""
    return {"id": f"github:{user.lower()}", "source": "github", "external_id": user}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def seat_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"org": org, "seats": [seats of one API page], "default_seat_usd": price, "ended_at"?: when}`` ->
    identities and seats."""
    people, seats = [], []
    for seat in payload["seats"]:
        who = login(seat["assignee"]["login"])
        people.append(who)
        cancels = seat.get("pending_cancellation_date")
        price = SEAT_PRICES_USD.get(seat.get("plan_type") or "")
        seats.append(
            {
                "id": f"copilot:seat:{payload['org']}:{who['external_id'].lower()}",
                "tool": TOOL,
                "identity_id": who["id"],
                "assigned_at": _time(seat.get("created_at")),
                "last_activity_at": _time(seat.get("last_activity_at")),
                "last_activity_editor": seat.get("last_activity_editor"),
                "pending_cancellation_date": date.fromisoformat(cancels) if cancels else None,
                "plan_type": seat.get("plan_type"),
                "ended_at": _time(payload.get("ended_at")),
                "monthly_cost_usd": price if price is not None else number(payload.get("default_seat_usd")),
                "price_assumed": price is None,
            }
        )
    return {"identity": people, "seat": seats}


# Fields that fill a column (or name the row); the rest of a record goes to ``extra`` as sent.
COLUMNS = {
    "user_login",
    "day",
    "ai_credits_used",
    "user_initiated_interaction_count",
    "loc_suggested_to_add_sum",
    "loc_added_sum",
    "loc_deleted_sum",
}


def usage(record: dict, credit_price_usd: float = 0.0) -> dict:
    """One user-day of the ``users-1-day`` report: IDE code generation plus chat, agent and CLI use."""
    cli = record.get("totals_by_cli") or {}
    tokens = cli.get("token_usage") or {}
    extra = {key: value for key, value in record.items() if key not in COLUMNS}
    features = {
        entry["feature"]: total(entry, *ACTIVITY)
        for entry in record.get("totals_by_feature") or []
        if entry.get("feature")
    }
    if features:
        extra["activity_by_feature"] = features
    credits = float(number(record.get("ai_credits_used")) or 0)
    return daily_usage(
        login(record["user_login"]),
        date.fromisoformat(record["day"]),
        tool=TOOL,
        source=SOURCE,
        input_tokens=total(tokens, "prompt_tokens_sum"),
        output_tokens=total(tokens, "output_tokens_sum"),
        requests=total(record, "user_initiated_interaction_count"),
        sessions=total(cli, "session_count"),
        lines_suggested=total(record, "loc_suggested_to_add_sum"),
        lines_accepted=total(record, "loc_added_sum"),
        lines_removed=total(record, "loc_deleted_sum"),
        ai_credits=credits,
        cost_usd=credits * credit_price_usd,
        extra=extra,
    )


def report_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"day": ..., "records": [...], "credit_price_usd": price}`` (records empty when GitHub had no report)
    -> usage rows."""
    records, price = payload["records"], float(number(payload.get("credit_price_usd")) or 0)
    return {
        "identity": list({r["user_login"]: login(r["user_login"]) for r in records}.values()),
        "ai_usage_daily": [usage(record, price) for record in records],
    }


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    return seat_rows(payload) if stream == "seats" else report_rows(payload)

"""Copilot payloads -> rows. Pure.

People are GitHub logins (``github:<login>``), the same identities the pull-request connector writes,
so Copilot usage and merged PRs meet on one person. A seat's monthly cost is GitHub's list price for
its plan (Business $19, Enterprise $39), so assigned-but-unused seats show up as a cost.
"""

from datetime import UTC, date, datetime

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
    """``{"org": org, "seats": [seats of one API page]}`` -> identities and seats."""
    people, seats = [], []
    for seat in payload["seats"]:
        who = login(seat["assignee"]["login"])
        people.append(who)
        cancels = seat.get("pending_cancellation_date")
        seats.append({
            "id": f"copilot:seat:{payload['org']}:{who['external_id'].lower()}", "tool": TOOL, "identity_id": who["id"],
            "assigned_at": _time(seat.get("created_at")), "last_activity_at": _time(seat.get("last_activity_at")),
            "last_activity_editor": seat.get("last_activity_editor"),
            "pending_cancellation_date": date.fromisoformat(cancels) if cancels else None,
            "plan_type": seat.get("plan_type"), "monthly_cost_usd": SEAT_PRICES_USD.get(seat.get("plan_type") or ""),
        })
    return {"identity": people, "seat": seats}


def usage(record: dict) -> dict:
    """One user-day of the ``users-1-day`` report: IDE code generation plus chat, agent and CLI use."""
    cli = record.get("totals_by_cli") or {}
    tokens = cli.get("token_usage") or {}
    extra = {key: record[key] for key in ACTIVITY if record.get(key)}
    extra.update({key: bool(record.get(key)) for key in ("used_chat", "used_agent", "used_cli")})
    features = {entry["feature"]: total(entry, *ACTIVITY) for entry in record.get("totals_by_feature") or []
                if entry.get("feature")}
    if features:
        extra["activity_by_feature"] = features
    ides = sorted({entry["ide"] for entry in record.get("totals_by_ide") or [] if entry.get("ide")})
    if ides:
        extra["ides"] = ides
    return daily_usage(
        login(record["user_login"]), date.fromisoformat(record["day"]), tool=TOOL, source=SOURCE,
        input_tokens=total(tokens, "prompt_tokens_sum"), output_tokens=total(tokens, "output_tokens_sum"),
        requests=total(record, "user_initiated_interaction_count") + total(cli, "request_count"),
        sessions=total(cli, "session_count"), lines_suggested=total(record, "loc_suggested_to_add_sum"),
        lines_accepted=total(record, "loc_added_sum"), lines_removed=total(record, "loc_deleted_sum"), extra=extra,
    )


def report_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"day": ..., "records": [...]}`` (records empty when GitHub had no report) -> usage rows."""
    records = payload["records"]
    return {"identity": list({r["user_login"]: login(r["user_login"]) for r in records}.values()),
            "ai_usage_daily": [usage(record) for record in records]}


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    return seat_rows(payload) if stream == "seats" else report_rows(payload)

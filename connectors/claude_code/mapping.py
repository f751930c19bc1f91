"""Claude Code analytics records -> rows. Pure.

An actor is a person (``user_actor`` with ``email_address``) or an API key (``api_actor`` with
``api_key_name``); keys become identities too, so their usage is kept and can be tied to an owner.
``estimated_cost.amount`` is taken to be in US cents, like ``amount`` in the Admin API's cost report
(see docs/connectors.md); the original amounts stay in ``extra.models``.
"""

from datetime import date

from payoff.connectors.usage_rows import combine, daily_usage, identity, total

SOURCE = TOOL = "claude_code"


def actor(record: dict) -> dict:
    who = record["actor"]
    if who.get("type") == "api_actor":
        return identity(SOURCE, f"api_key:{who['api_key_name']}", who["api_key_name"])
    return identity(SOURCE, who["email_address"].lower(), who["email_address"])


def models(record: dict) -> dict[str, dict]:
    """Tokens and estimated cost per model, the cost converted from cents to dollars."""
    out: dict[str, dict] = {}
    for entry in record.get("model_breakdown") or []:
        tokens, cost = entry.get("tokens") or {}, entry.get("estimated_cost") or {}
        out[entry["model"]] = {
            "input_tokens": total(tokens, "input"),
            "output_tokens": total(tokens, "output"),
            "cache_read_tokens": total(tokens, "cache_read"),
            "cache_creation_tokens": total(tokens, "cache_creation"),
            "cost_usd": float(cost.get("amount") or 0) / 100,
        }
    return out


def usage(record: dict) -> dict:
    core, per_model = record.get("core_metrics") or {}, models(record)
    lines = core.get("lines_of_code") or {}
    extra: dict = {"models": per_model}
    for tool, counts in (record.get("tool_actions") or {}).items():
        extra.update({f"{tool}_{outcome}": n for outcome, n in (counts or {}).items() if n})
    if record.get("terminal_type"):
        extra["terminal_type"] = record["terminal_type"]
    return daily_usage(
        actor(record),
        date.fromisoformat(record["date"][:10]),
        tool=TOOL,
        source=SOURCE,
        input_tokens=sum(m["input_tokens"] for m in per_model.values()),
        output_tokens=sum(m["output_tokens"] for m in per_model.values()),
        cost_usd=round(sum(m["cost_usd"] for m in per_model.values()), 6),
        sessions=total(core, "num_sessions"),
        lines_accepted=total(lines, "added"),
        lines_removed=total(lines, "removed"),
        commits=total(core, "commits_by_claude_code"),
        pull_requests=total(core, "pull_requests_by_claude_code"),
        extra=extra,
    )


def day_rows(payload: dict) -> dict[str, list[dict]]:
    """``{"data": [every record of one day]}`` -> identities and one usage row per actor."""
    records = payload["data"]
    people = {who["id"]: who for who in map(actor, records)}
    return {"identity": list(people.values()), "ai_usage_daily": combine([usage(r) for r in records])}


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    return day_rows(payload)

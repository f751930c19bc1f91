"""OpenAI completions usage -> rows. Pure.

A day's payload is ``{"results": [...], "user_emails": {user id: email}, "prices": {...}}``: the bucket's
results grouped by user and model, plus what the sync knew when it fetched them, so a remap gives the
same rows. Only ``input_tokens``, ``output_tokens`` and ``num_model_requests`` are guaranteed; the
newer token fields are optional. Usage that no user made (service keys) goes to ``openai:no-user``.
"""

from datetime import date

from payoff.connectors.openai.prices import cost_usd, price_for
from payoff.connectors.usage_rows import combine, daily_usage, identity, total

SOURCE = TOOL = "openai"
OPTIONAL = ("input_cached_tokens", "input_audio_tokens", "output_audio_tokens")


def user(result: dict, emails: dict[str, str]) -> dict:
    user_id = result.get("user_id")
    if not user_id:
        return identity(SOURCE, "no-user", "usage without a user (service keys)")
    return identity(SOURCE, user_id, emails.get(user_id))


def usage(result: dict, day, emails: dict[str, str], prices: dict) -> dict:
    inputs, outputs = total(result, "input_tokens"), total(result, "output_tokens")
    cached = total(result, "input_cached_tokens")
    price = price_for(result.get("model"), prices)
    extra = {key: result[key] for key in OPTIONAL if result.get(key)}
    if price is None:
        extra["unpriced_tokens"] = inputs + outputs
    cost = cost_usd(price, input_tokens=inputs, cached_tokens=cached, output_tokens=outputs) if price else 0.0
    extra["models"] = {
        result.get("model") or "unknown": {"input_tokens": inputs, "output_tokens": outputs, "cost_usd": cost}
    }
    return daily_usage(
        user(result, emails),
        day,
        tool=TOOL,
        source=SOURCE,
        input_tokens=inputs,
        output_tokens=outputs,
        requests=total(result, "num_model_requests"),
        cost_usd=cost,
        extra=extra,
    )


def day_rows(payload: dict) -> dict[str, list[dict]]:
    day = date.fromisoformat(payload["day"])
    emails, results = payload.get("user_emails") or {}, payload["results"]
    people = {who["id"]: who for who in (user(result, emails) for result in results)}
    rows = combine([usage(result, day, emails, payload["prices"]) for result in results])
    return {
        "identity": list(people.values()),
        "ai_usage_daily": [{**row, "cost_usd": round(row["cost_usd"], 6)} for row in rows],
    }


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    return day_rows(payload)

"""OTLP metrics (the JSON mapping of ``ExportMetricsServiceRequest``) -> daily usage increments. Pure.

Understood metrics:
* GenAI semantic conventions: histogram ``gen_ai.client.token.usage`` split by ``gen_ai.token.type``
  (input/output); its ``count`` on input points is the number of model calls. The agent is
  ``gen_ai.agent.name``, else the resource's ``service.name``.
* Claude Code: ``claude_code.token.usage`` (``type`` input/output/cacheRead/cacheCreation),
  ``claude_code.cost.usage`` (USD), ``claude_code.lines_of_code.count`` (``type`` added/removed),
  ``claude_code.commit.count``, ``claude_code.pull_request.count``, ``claude_code.session.count``,
  ``claude_code.code_edit_tool.decision`` (``decision`` accept/reject); the agent is ``claude_code``.
Other metrics are ignored. People are keyed by ``user.email``, else ``user.account_uuid`` /
``user.id`` / ``enduser.id`` (point attributes over resource attributes).

Only DELTA temporality can be added up day by day; cumulative points are rejected and counted, and
the exporter is told to set ``OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta``.

A value that is negative, not finite or above ``MAX_VALUE``, or a time outside ``EARLIEST``..tomorrow,
makes the whole export ``Invalid``: one bad point must not write (or hide) anyone's usage. Each point
carries a key (a hash of its metric, attributes and times) so that the store adds an export sent twice once.
"""

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from payoff.connectors.emails import lookalike, normal_email
from payoff.connectors.usage_rows import daily_usage, identity

SOURCE = "otel"
DELTA = {1, "1", "AGGREGATION_TEMPORALITY_DELTA"}
ID_KEYS = ("user.account_uuid", "user.id", "enduser.id")
CLAUDE_TOKENS = {
    "input": "input_tokens",
    "output": "output_tokens",
    "cacheRead": "cache_read_tokens",
    "cacheCreation": "cache_creation_tokens",
}
CLAUDE_COUNTS = {
    "claude_code.cost.usage": "cost_usd",
    "claude_code.commit.count": "commits",
    "claude_code.pull_request.count": "pull_requests",
    "claude_code.session.count": "sessions",
}
COLUMNS = {
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "requests",
    "sessions",
    "lines_accepted",
    "lines_removed",
    "commits",
    "pull_requests",
}
MAX_VALUE = 10**12  # far above any person-day (a trillion tokens), far below the 64-bit columns' limit
EARLIEST = date(2000, 1, 1)


class Invalid(ValueError):
    """An export that must be refused whole (HTTP 400)."""


@dataclass
class Increments:
    """``points``: (point key, usage row) per data point, not yet added up (the store skips keys it has)."""

    identities: list[dict] = field(default_factory=list)
    points: list[tuple[str, dict]] = field(default_factory=list)
    rejected: int = 0
    reason: str = ""


def attributes(items: list[dict] | None) -> dict:
    """OTLP ``[{key, value: {stringValue | intValue | doubleValue | boolValue}}]`` -> a plain dict."""
    out = {}
    for item in items or []:
        value = item.get("value") or {}
        for kind in ("stringValue", "intValue", "doubleValue", "boolValue"):
            if kind in value:
                out[item["key"]] = value[kind]
    return out


def person(attrs: dict) -> dict:
    if attrs.get("user.email"):
        email = str(attrs["user.email"])
        if lookalike(email):
            raise Invalid(f"user.email {email!r} holds characters that only look like ASCII ones")
        return identity(SOURCE, normal_email(email), email)
    for key in ID_KEYS:
        if attrs.get(key):
            return identity(SOURCE, str(attrs[key]))
    return identity(SOURCE, "unknown", "telemetry without a user attribute")


def amount(value, what: str) -> float:
    """A point's number, refused unless finite and within 0..MAX_VALUE."""
    number = float(value or 0)
    if not (math.isfinite(number) and 0 <= number <= MAX_VALUE):
        raise Invalid(f"{what} {value!r} is out of range (0 to {MAX_VALUE:.0e}, finite)")
    return number


def day_of(point: dict) -> date:
    """The UTC day of the point's ``timeUnixNano``, refused outside EARLIEST..tomorrow."""
    nanos = int(point["timeUnixNano"])
    latest = datetime.now(UTC) + timedelta(days=1)
    if not (datetime(EARLIEST.year, 1, 1, tzinfo=UTC).timestamp() * 1e9 <= nanos <= latest.timestamp() * 1e9):
        raise Invalid(f"timeUnixNano {point['timeUnixNano']!r} is not between {EARLIEST} and tomorrow")
    return datetime.fromtimestamp(nanos / 1e9, UTC).date()


def point_key(name: str, resource: dict, point: dict) -> str:
    """The same data point sent again has the same key: its metric, its series and its times."""
    series = [name, resource, point.get("attributes"), point.get("startTimeUnixNano"), point.get("timeUnixNano")]
    return hashlib.sha256(json.dumps(series, sort_keys=True, default=str).encode()).hexdigest()


def measures(name: str, point: dict, attrs: dict) -> dict[str, float] | None:
    """What one data point adds to a day's usage, or None when the metric is not one we read."""
    value = amount(point.get("asDouble", point.get("asInt", point.get("sum", 0))), name)
    if name == "gen_ai.client.token.usage":
        kind = attrs.get("gen_ai.token.type")
        if kind == "input":
            return {"input_tokens": value, "requests": amount(point.get("count"), f"{name} count")}
        return {"output_tokens": value} if kind == "output" else {}
    if name == "claude_code.token.usage":
        return {CLAUDE_TOKENS[attrs["type"]]: value} if attrs.get("type") in CLAUDE_TOKENS else {}
    if name == "claude_code.lines_of_code.count":
        return {{"added": "lines_accepted", "removed": "lines_removed"}.get(attrs.get("type"), "lines_other"): value}
    if name == "claude_code.code_edit_tool.decision":
        return {f"edit_tool_{attrs.get('decision', 'unknown')}": value}
    if name in CLAUDE_COUNTS:
        return {CLAUDE_COUNTS[name]: value}
    return None


def agent(name: str, attrs: dict) -> str:
    if name.startswith("claude_code."):
        return "claude_code"
    return str(attrs.get("gen_ai.agent.name") or attrs.get("service.name") or "gen_ai")


def increments(request: dict) -> Increments:
    """Everything one export request adds: a usage row per data point, keyed for the store's replay check."""
    result, people = Increments(), {}
    for resource_metrics in request.get("resourceMetrics") or []:
        resource = attributes((resource_metrics.get("resource") or {}).get("attributes"))
        for scope in resource_metrics.get("scopeMetrics") or []:
            for metric in scope.get("metrics") or []:
                data = metric.get("sum") or metric.get("histogram")
                if not data:
                    continue
                for point in data.get("dataPoints") or []:
                    attrs = {**resource, **attributes(point.get("attributes"))}
                    added = measures(metric["name"], point, attrs)
                    if added is None:
                        continue
                    if data.get("aggregationTemporality") not in DELTA:
                        result.rejected += 1
                        continue
                    who = person(attrs)
                    people[who["id"]] = who
                    columns = {k: (v if k == "cost_usd" else int(v)) for k, v in added.items() if k in COLUMNS}
                    extra = {k: int(v) for k, v in added.items() if k not in COLUMNS}
                    row = daily_usage(
                        who, day_of(point), tool=agent(metric["name"], attrs), source=SOURCE, **columns, extra=extra
                    )
                    result.points.append((point_key(metric["name"], resource, point), row))
    if result.rejected:
        result.reason = (
            "cumulative metrics are not accepted: set "
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta on the exporter"
        )
    result.identities = list(people.values())
    return result

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
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from payoff.connectors.usage_rows import combine, daily_usage, identity

SOURCE = "otel"
DELTA = {1, "1", "AGGREGATION_TEMPORALITY_DELTA"}
ID_KEYS = ("user.account_uuid", "user.id", "enduser.id")
CLAUDE_TOKENS = {"input": "input_tokens", "output": "output_tokens", "cacheRead": "cache_read_tokens",
                 "cacheCreation": "cache_creation_tokens"}
CLAUDE_COUNTS = {"claude_code.cost.usage": "cost_usd", "claude_code.commit.count": "commits",
                 "claude_code.pull_request.count": "pull_requests", "claude_code.session.count": "sessions"}
COLUMNS = {"input_tokens", "output_tokens", "cost_usd", "requests", "sessions", "lines_accepted", "lines_removed",
           "commits", "pull_requests"}


@dataclass
class Increments:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {"identity": [], "ai_usage_daily": []})
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
        return identity(SOURCE, str(attrs["user.email"]).lower(), str(attrs["user.email"]))
    for key in ID_KEYS:
        if attrs.get(key):
            return identity(SOURCE, str(attrs[key]))
    return identity(SOURCE, "unknown", "telemetry without a user attribute")


def measures(name: str, point: dict, attrs: dict) -> dict[str, float] | None:
    """What one data point adds to a day's usage, or None when the metric is not one we read."""
    value = float(point.get("asDouble", point.get("asInt", point.get("sum", 0))) or 0)
    if name == "gen_ai.client.token.usage":
        kind = attrs.get("gen_ai.token.type")
        if kind == "input":
            return {"input_tokens": value, "requests": float(point.get("count") or 0)}
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
    """Everything one export request adds, per person, UTC day and agent (rows already added up)."""
    result, usage, people = Increments(), [], {}
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
                    day = datetime.fromtimestamp(int(point["timeUnixNano"]) / 1e9, UTC).date()
                    columns = {k: (v if k == "cost_usd" else int(v)) for k, v in added.items() if k in COLUMNS}
                    extra = {k: int(v) for k, v in added.items() if k not in COLUMNS}
                    usage.append(daily_usage(who, day, tool=agent(metric["name"], attrs), source=SOURCE,
                                             **columns, extra=extra))
    if result.rejected:
        result.reason = ("cumulative metrics are not accepted: set "
                         "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta on the exporter")
    result.rows = {"identity": list(people.values()), "ai_usage_daily": combine(usage)}
    return result

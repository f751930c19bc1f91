import gzip
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime

import pytest
import requests
from google.protobuf.json_format import ParseDict
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from sqlmodel import select

from payoff.app.cli.otel import save_to_store
from payoff.connectors.otel import mapping
from payoff.connectors.otel.receiver import Receiver
from payoff.store import db, writes
from payoff.store.models import Identity, Person, SyncState
from tests.connectors.conftest import usage_table

DAY = date(2026, 7, 1)
NOON = str(int(datetime(2026, 7, 1, 12, tzinfo=UTC).timestamp() * 1e9))
DELTA, CUMULATIVE = 1, 2


def attrs(**values) -> list[dict]:
    def wrap(value):
        if isinstance(value, bool):
            return {"boolValue": value}
        if isinstance(value, int):
            return {"intValue": str(value)}
        return {"doubleValue": value} if isinstance(value, float) else {"stringValue": value}
    return [{"key": key.replace("_", ".", 1) if key.startswith(("user_", "service_")) else key, "value": wrap(v)}
            for key, v in values.items()]


def point(value, temporality=DELTA, **labels) -> dict:
    number = {"asDouble": value} if isinstance(value, float) else {"asInt": str(value)}
    return {"attributes": attrs(**labels), "startTimeUnixNano": NOON, "timeUnixNano": NOON, **number}


def export(metrics: list[dict], **resource) -> dict:
    return {"resourceMetrics": [{"resource": {"attributes": attrs(**resource)},
                                 "scopeMetrics": [{"scope": {"name": "test"}, "metrics": metrics}]}]}


def claude_code_export(email="Ana@Acme.io", temporality=DELTA) -> dict:
    def counter(name, *points):
        return {"name": name, "sum": {"aggregationTemporality": temporality, "isMonotonic": True,
                                      "dataPoints": list(points)}}
    return export([
        counter("claude_code.token.usage", point(1200, type="input", model="claude-sonnet-4-5"),
                point(300, type="output", model="claude-sonnet-4-5"), point(5000, type="cacheRead")),
        counter("claude_code.cost.usage", point(0.42, model="claude-sonnet-4-5")),
        counter("claude_code.lines_of_code.count", point(50, type="added"), point(8, type="removed")),
        counter("claude_code.commit.count", point(1)),
        counter("claude_code.pull_request.count", point(1)),
        counter("claude_code.session.count", point(2)),
        {"name": "claude_code.active_time.total", "sum": {"aggregationTemporality": DELTA,
                                                           "dataPoints": [point(33.0)]}},
    ], service_name="claude-code", user_email=email, **{"session.id": "s-1"})


def gen_ai_export() -> dict:
    def histogram(kind, total, count):
        return {"attributes": attrs(**{"gen_ai.token.type": kind, "gen_ai.request.model": "gpt-4.1",
                                       "user.id": "u-77"}),
                "startTimeUnixNano": NOON, "timeUnixNano": NOON, "count": str(count), "sum": total,
                "bucketCounts": ["0", str(count)], "explicitBounds": [1.0]}
    return export([{"name": "gen_ai.client.token.usage", "unit": "{token}",
                    "histogram": {"aggregationTemporality": "AGGREGATION_TEMPORALITY_DELTA",
                                  "dataPoints": [histogram("input", 900.0, 3), histogram("output", 150.0, 3)]}}],
                  service_name="support-agent")


def test_claude_code_metrics_become_one_row_per_person_day_and_agent():
    result = mapping.increments(claude_code_export())
    assert result.rejected == 0
    assert result.rows["identity"] == [{"id": "otel:ana@acme.io", "source": "otel", "external_id": "ana@acme.io",
                                        "label": "Ana@Acme.io"}]
    [row] = result.rows["ai_usage_daily"]
    assert row["id"] == "otel:ana@acme.io:2026-07-01:claude_code" and row["day"] == DAY
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"], row["lines_accepted"], row["lines_removed"],
            row["commits"], row["pull_requests"], row["sessions"]) == (1200, 300, 0.42, 50, 8, 1, 1, 2)
    assert row["extra"] == {"cache_read_tokens": 5000}


def test_gen_ai_histograms_count_tokens_and_calls_for_the_service():
    [row] = mapping.increments(gen_ai_export()).rows["ai_usage_daily"]
    assert (row["identity_id"], row["tool"], row["input_tokens"], row["output_tokens"], row["requests"]) == \
        ("otel:u-77", "support-agent", 900, 150, 3)


def test_cumulative_points_are_rejected_and_explained():
    result = mapping.increments(claude_code_export(temporality=CUMULATIVE))
    assert result.rows["ai_usage_daily"] == [] and result.rejected == 9
    assert "TEMPORALITY_PREFERENCE=delta" in result.reason


@pytest.fixture
def receiver(db_url):
    server = Receiver(save_to_store, port=0, token="otel-secret")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.port}/v1/metrics"
    server.shutdown()


AUTH = {"Authorization": "Bearer otel-secret"}


def test_posted_exports_add_up_per_day_and_match_people(receiver, db_url):
    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "ana@acme.io", "name": "Ana"}], on=["email"])
    body = json.dumps(claude_code_export())
    for _ in range(2):
        reply = requests.post(receiver, data=body, headers={**AUTH, "Content-Type": "application/json"}, timeout=5)
        assert reply.status_code == 200 and reply.json() == {}
    gzipped = gzip.compress(json.dumps(gen_ai_export()).encode())
    reply = requests.post(receiver, data=gzipped, timeout=5,
                          headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert reply.status_code == 200
    rows = {r["id"]: r for r in usage_table(db_url)}
    ana = rows["otel:ana@acme.io:2026-07-01:claude_code"]
    assert (ana["input_tokens"], ana["cost_usd"], ana["commits"], ana["extra"]) == \
        (2400, 0.84, 2, {"cache_read_tokens": 10000})
    assert ana["person_id"] is not None
    assert rows["otel:u-77:2026-07-01:support-agent"]["output_tokens"] == 150
    with db.session(db_url) as s:
        assert s.get(SyncState, "otel:metrics:receiver").last_success is not None
        assert s.get(Identity, "otel:u-77") is not None


def test_protobuf_exports_and_partial_success_replies(receiver, db_url):
    message = ParseDict(claude_code_export(temporality=CUMULATIVE), ExportMetricsServiceRequest())
    reply = requests.post(receiver, data=message.SerializeToString(), timeout=5,
                          headers={**AUTH, "Content-Type": "application/x-protobuf"})
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/x-protobuf"
    answer = ExportMetricsServiceResponse.FromString(reply.content)
    assert answer.partial_success.rejected_data_points == 9
    message = ParseDict(gen_ai_export(), ExportMetricsServiceRequest())
    reply = requests.post(receiver, data=message.SerializeToString(), timeout=5,
                          headers={**AUTH, "Content-Type": "application/x-protobuf"})
    assert reply.status_code == 200 and not ExportMetricsServiceResponse.FromString(reply.content).HasField(
        "partial_success")
    assert [(r["identity_id"], r["input_tokens"]) for r in usage_table(db_url)] == [("otel:u-77", 900)]


def test_wrong_token_bad_body_and_wrong_path_are_refused(receiver, db_url):
    assert requests.post(receiver, data="{}", timeout=5).status_code == 401
    bad = requests.post(receiver, data='{"resourceMetrics": [}', headers=AUTH, timeout=5)
    assert bad.status_code == 400 and "line 1, column" in bad.json()["message"]
    assert requests.post(receiver.replace("metrics", "traces"), data="{}", headers=AUTH, timeout=5).status_code == 404
    pointless = claude_code_export()
    del pointless["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"]["dataPoints"][0]["timeUnixNano"]
    malformed = requests.post(receiver, json=pointless, headers=AUTH, timeout=5)
    assert malformed.status_code == 400 and "timeUnixNano" in malformed.json()["message"]
    assert usage_table(db_url) == []


def test_the_cli_receiver_writes_posted_metrics(sqlite_url):
    process = subprocess.Popen([sys.executable, "-c", "from app.cli import main; main()", "otel-receiver",
                                "--port", "0"], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PAYOFF_DATABASE_URL": sqlite_url, "COLUMNS": "200"})
    try:
        line = process.stderr.readline()
        assert "Listening on" in line, line
        url = line.split()[-1]
        reply = requests.post(url, json=claude_code_export(), timeout=10)
        assert reply.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    [row] = usage_table(sqlite_url)
    assert (row["identity_id"], row["tool"], row["output_tokens"]) == ("otel:ana@acme.io", "claude_code", 300)

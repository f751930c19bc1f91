import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
import requests
from google.protobuf.json_format import ParseDict
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from sqlmodel import func, select

from payoff.app.cli.otel import save_to_store
from payoff.connectors.otel import mapping
from payoff.connectors.otel.receiver import MAX_DECODED, Receiver
from payoff.connectors.usage_rows import combine
from payoff.store import db, writes
from payoff.store.models import Identity, Person, SyncState, UsageWeek
from tests.connectors.conftest import usage_table
from tests.console_text import words

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

    return [
        {"key": key.replace("_", ".", 1) if key.startswith(("user_", "service_")) else key, "value": wrap(v)}
        for key, v in values.items()
    ]


def point(value, temporality=DELTA, at=NOON, **labels) -> dict:
    number = {"asDouble": value} if isinstance(value, float) else {"asInt": str(value)}
    return {"attributes": attrs(**labels), "startTimeUnixNano": at, "timeUnixNano": at, **number}


def rows(result: mapping.Increments) -> list[dict]:
    """The usage an export adds, per person, day and agent."""
    return combine([row for _, row in result.points])


def export(metrics: list[dict], **resource) -> dict:
    return {
        "resourceMetrics": [
            {
                "resource": {"attributes": attrs(**resource)},
                "scopeMetrics": [{"scope": {"name": "test"}, "metrics": metrics}],
            }
        ]
    }


def claude_code_export(email="Ana@Acme.io", temporality=DELTA) -> dict:
    def counter(name, *points):
        return {
            "name": name,
            "sum": {"aggregationTemporality": temporality, "isMonotonic": True, "dataPoints": list(points)},
        }

    return export(
        [
            counter(
                "claude_code.token.usage",
                point(1200, type="input", model="claude-sonnet-4-5"),
                point(300, type="output", model="claude-sonnet-4-5"),
                point(5000, type="cacheRead"),
            ),
            counter("claude_code.cost.usage", point(0.42, model="claude-sonnet-4-5")),
            counter("claude_code.lines_of_code.count", point(50, type="added"), point(8, type="removed")),
            counter("claude_code.commit.count", point(1)),
            counter("claude_code.pull_request.count", point(1)),
            counter("claude_code.session.count", point(2)),
            {
                "name": "claude_code.active_time.total",
                "sum": {"aggregationTemporality": DELTA, "dataPoints": [point(33.0)]},
            },
        ],
        service_name="claude-code",
        user_email=email,
        **{"session.id": "s-1"},
    )


def gen_ai_export() -> dict:
    def histogram(kind, total, count):
        return {
            "attributes": attrs(**{"gen_ai.token.type": kind, "gen_ai.request.model": "gpt-4.1", "user.id": "u-77"}),
            "startTimeUnixNano": NOON,
            "timeUnixNano": NOON,
            "count": str(count),
            "sum": total,
            "bucketCounts": ["0", str(count)],
            "explicitBounds": [1.0],
        }

    return export(
        [
            {
                "name": "gen_ai.client.token.usage",
                "unit": "{token}",
                "histogram": {
                    "aggregationTemporality": "AGGREGATION_TEMPORALITY_DELTA",
                    "dataPoints": [histogram("input", 900.0, 3), histogram("output", 150.0, 3)],
                },
            }
        ],
        service_name="support-agent",
    )


def test_claude_code_metrics_become_one_row_per_person_day_and_agent():
    result = mapping.increments(claude_code_export())
    assert result.rejected == 0
    assert result.identities == [
        {"id": "otel:ana@acme.io", "source": "otel", "external_id": "ana@acme.io", "label": "Ana@Acme.io"}
    ]
    [row] = rows(result)
    assert row["id"] == "otel:ana@acme.io:2026-07-01:claude_code" and row["day"] == DAY
    assert (
        row["input_tokens"],
        row["output_tokens"],
        row["cost_usd"],
        row["lines_accepted"],
        row["lines_removed"],
        row["commits"],
        row["pull_requests"],
        row["sessions"],
    ) == (1200, 300, 0.42, 50, 8, 1, 1, 2)
    assert row["extra"] == {"cache_read_tokens": 5000}


def test_gen_ai_histograms_count_tokens_and_calls_for_the_service():
    [row] = rows(mapping.increments(gen_ai_export()))
    assert (row["identity_id"], row["tool"], row["input_tokens"], row["output_tokens"], row["requests"]) == (
        "otel:u-77",
        "support-agent",
        900,
        150,
        3,
    )


def test_cumulative_points_are_rejected_and_explained():
    result = mapping.increments(claude_code_export(temporality=CUMULATIVE))
    assert result.points == [] and result.rejected == 9
    assert "TEMPORALITY_PREFERENCE=delta" in result.reason


@pytest.fixture
def receiver(db_url):
    server = Receiver(
        save_to_store, port=0, tokens={"otel-secret": None, "ana-only": frozenset({"ana@acme.io"})}, timeout=0.5
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.port}/v1/metrics"
    server.shutdown()


AUTH = {"Authorization": "Bearer otel-secret"}


def test_posted_exports_add_up_per_day_match_people_and_count_a_resent_export_once(receiver, db_url):
    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "ana@acme.io", "name": "Ana"}], on=["email"])
    later = export(
        [
            {
                "name": "claude_code.token.usage",
                "sum": {
                    "aggregationTemporality": DELTA,
                    "dataPoints": [
                        point(1200, type="input", at=str(int(NOON) + 60 * 10**9)),
                        point(5000, type="cacheRead", at=str(int(NOON) + 60 * 10**9)),
                    ],
                },
            }
        ],
        user_email="ana@acme.io",
    )
    for body in (claude_code_export(), claude_code_export(), later, later):  # each sent twice: a retry
        reply = requests.post(receiver, json=body, headers=AUTH, timeout=5)
        assert reply.status_code == 200 and reply.json() == {}
    gzipped = gzip.compress(json.dumps(gen_ai_export()).encode())
    reply = requests.post(
        receiver,
        data=gzipped,
        timeout=5,
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert reply.status_code == 200
    rows = {r["id"]: r for r in usage_table(db_url)}
    ana = rows["otel:ana@acme.io:2026-07-01:claude_code"]
    assert (ana["input_tokens"], ana["cost_usd"], ana["commits"], ana["extra"]) == (
        2400,
        0.42,
        1,
        {"cache_read_tokens": 10000},
    )
    assert ana["person_id"] is not None
    assert rows["otel:u-77:2026-07-01:support-agent"]["output_tokens"] == 150
    with db.session(db_url) as s:
        assert s.get(SyncState, "otel:metrics:receiver").last_success is not None
        assert s.get(Identity, "otel:u-77") is not None


def test_protobuf_exports_and_partial_success_replies(receiver, db_url):
    message = ParseDict(claude_code_export(temporality=CUMULATIVE), ExportMetricsServiceRequest())
    reply = requests.post(
        receiver,
        data=message.SerializeToString(),
        timeout=5,
        headers={**AUTH, "Content-Type": "application/x-protobuf"},
    )
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/x-protobuf"
    answer = ExportMetricsServiceResponse.FromString(reply.content)
    assert answer.partial_success.rejected_data_points == 9
    message = ParseDict(gen_ai_export(), ExportMetricsServiceRequest())
    reply = requests.post(
        receiver,
        data=message.SerializeToString(),
        timeout=5,
        headers={**AUTH, "Content-Type": "application/x-protobuf"},
    )
    assert reply.status_code == 200 and not ExportMetricsServiceResponse.FromString(reply.content).HasField(
        "partial_success"
    )
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
    process = subprocess.Popen(
        [sys.executable, "-c", "from payoff.app.cli import main; main()", "otel-receiver", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PAYOFF_DATABASE_URL": sqlite_url, "COLUMNS": "200"},
    )
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


def post_raw(url: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, dict]:
    """A POST with exactly these headers (requests would fix up Content-Length)."""
    address = url.split("/")[2]
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/v1/metrics", skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders(body)
    reply = connection.getresponse()
    status, answer = reply.status, json.loads(reply.read() or b"{}")
    connection.close()
    return status, answer


def with_value(value) -> dict:
    body = claude_code_export()
    body["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0]["sum"]["dataPoints"][0].update(
        {"asDouble": value} if isinstance(value, float) else {"asInt": value}
    )
    return body


def test_negative_non_finite_and_out_of_range_values_refuse_the_whole_export(receiver, db_url):
    for value in ("-5", float("nan"), float("inf"), "1e400", str(10**13)):
        body = json.dumps(with_value(value)).replace("NaN", '"NaN"').replace("Infinity", '"Infinity"')
        reply = requests.post(receiver, data=body, headers={**AUTH, "Content-Type": "application/json"}, timeout=5)
        assert reply.status_code == 400 and "out of range" in reply.json()["message"], (value, reply.text)
    future = claude_code_export()
    future["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][1]["sum"]["dataPoints"][0]["timeUnixNano"] = str(
        2**63 - 1
    )
    reply = requests.post(receiver, json=future, headers=AUTH, timeout=5)
    assert reply.status_code == 400 and "timeUnixNano" in reply.json()["message"]
    kelvin = claude_code_export(email="\u212aate@acme.io")  # KELVIN SIGN, which normalises to K
    reply = requests.post(receiver, json=kelvin, headers=AUTH, timeout=5)
    assert reply.status_code == 400 and "look like ASCII" in reply.json()["message"]
    assert usage_table(db_url) == []


def test_bad_content_length_and_gzip_bombs_are_refused(receiver, db_url):
    body = json.dumps(claude_code_export()).encode()
    for length in ("-1", "abc", "1e3", ""):
        status, answer = post_raw(
            receiver, {**AUTH, "Content-Type": "application/json", "Content-Length": length}, body
        )
        assert status == 400 and "Content-Length" in answer["message"], (length, answer)
    status, _ = post_raw(receiver, {**AUTH, "Content-Type": "application/json"}, body)  # no Content-Length at all
    assert status == 400
    deflate, bomb = zlib.compressobj(9, wbits=16 + zlib.MAX_WBITS), []
    for _ in range(MAX_DECODED // 2**20 + 8):  # zeros just past the cap, compressed a MiB at a time
        bomb.append(deflate.compress(bytes(2**20)))
    bomb = b"".join([*bomb, deflate.flush()])
    assert len(bomb) < 2**20
    reply = requests.post(
        receiver,
        data=bomb,
        timeout=30,
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert reply.status_code == 413 and "inflates" in reply.json()["message"]
    truncated = gzip.compress(body)[:-12]
    reply = requests.post(
        receiver,
        data=truncated,
        timeout=5,
        headers={**AUTH, "Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert reply.status_code == 400 and "truncated" in reply.json()["message"]
    assert usage_table(db_url) == []


def test_a_token_writes_only_for_the_identities_it_is_given(receiver, db_url):
    own = {"Authorization": "Bearer ana-only"}
    assert (
        requests.post(receiver, json=claude_code_export(email="bob@acme.io"), headers=own, timeout=5).status_code == 403
    )
    for wrong in ("Bearer ana-onlx", "Bearer ana-only ", "Bearer ana", "ana-only", "Bearer otel-secret2"):
        assert (
            requests.post(receiver, json=claude_code_export(), headers={"Authorization": wrong}, timeout=5).status_code
            == 401
        ), wrong
    assert (
        requests.post(receiver, json=claude_code_export(email="ANA@acme.io"), headers=own, timeout=5).status_code == 200
    )
    assert [r["identity_id"] for r in usage_table(db_url)] == ["otel:ana@acme.io"]


def test_a_stalled_connection_is_closed(receiver):
    """The fixture's receiver gives a silent connection 0.5 s; without a timeout recv would wait 20 s."""
    host, port = receiver.split("/")[2].split(":")
    for partial in (
        b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\n",  # headers never finished
        b"POST /v1/metrics HTTP/1.1\r\nAuthorization: Bearer otel-secret\r\nContent-Length: 100\r\n\r\n{",
    ):
        with socket.create_connection((host, int(port)), timeout=20) as connection:
            connection.sendall(partial)
            assert connection.recv(1024) == b""  # closed by the receiver, nothing answered


@pytest.mark.parametrize("threads", [8])
def test_two_receivers_on_one_database_store_every_acknowledged_export(db_url, threads):
    """Exports spread over two receivers (each its own server, as two processes would be), some sent twice:
    every export acknowledged with 200 is stored exactly once, in the raw rows and in the weekly rollup."""
    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "ana@acme.io", "name": "Ana"}], on=["email"])
    servers = [Receiver(save_to_store, port=0) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    exports = [
        export(
            [
                {
                    "name": "claude_code.token.usage",
                    "sum": {
                        "aggregationTemporality": DELTA,
                        "dataPoints": [point(1, type="input", at=str(int(NOON) + n * 10**9))],
                    },
                }
            ],
            user_email="ana@acme.io",
        )
        for n in range(60)
    ]

    def send(n: int) -> int:
        """Export n, through receiver n % 2; retried on 503 as exporters do. 1 when acknowledged."""
        url = f"http://127.0.0.1:{servers[n % 2].port}/v1/metrics"
        for _ in range(10):
            status = requests.post(url, json=exports[n % len(exports)], timeout=30).status_code
            if status != 503:
                return int(status == 200)
        return 0

    try:
        with ThreadPoolExecutor(threads) as pool:
            sent = list(pool.map(send, range(len(exports) + 20)))  # the first 20 exports go out twice
    finally:
        for server in servers:
            server.shutdown()
    acknowledged = sum(1 for n in range(len(exports)) if sent[n] or (n < 20 and sent[n + len(exports)]))
    assert acknowledged == len(exports)
    [row] = usage_table(db_url)
    assert row["input_tokens"] == acknowledged
    with db.session(db_url) as s:
        assert s.exec(select(func.sum(UsageWeek.input_tokens))).one() == acknowledged


def test_the_cli_refuses_to_listen_beyond_loopback_without_a_token(sqlite_url, monkeypatch):
    from typer.testing import CliRunner

    from payoff.app.cli import cli

    monkeypatch.delenv("PAYOFF_OTEL_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["otel-receiver", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2 and "without a token" in words(result.output)

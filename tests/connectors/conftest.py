"""A scriptable API server on loopback for the connector tests (real HTTP, real status codes and headers)."""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from payoff.connectors.registry import MAPPINGS
from payoff.connectors.sync import run
from payoff.store import db
from payoff.store.models import AIUsageDaily, RawPayload
from payoff.store.sink import StoreSink


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON, str/bytes -> as is, None -> empty
    headers: dict[str, str] = field(default_factory=dict)


class FakeApi:
    """Routes ``(method, path) -> handler(request) -> Reply``; ``fail`` queues replies served first."""

    def __init__(self):
        self.routes: dict[tuple[str, str], Callable[[Request], Reply]] = {}
        self.failures: list[tuple[str | None, Reply]] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def route(self, method: str, path: str, handler: Callable[[Request], Reply]) -> None:
        self.routes[(method, path)] = handler

    def fail(self, reply: Reply, *, path: str | None = None, times: int = 1) -> None:
        """Answer the next ``times`` requests (to ``path`` if given) with ``reply``."""
        self.failures.extend([(path, reply)] * times)

    def answer(self, request: Request) -> Reply:
        with self.lock:
            self.requests.append(request)
            for index, (path, reply) in enumerate(self.failures):
                if path is None or path == request.path:
                    del self.failures[index]
                    return reply
        handler = self.routes.get((request.method, request.path))
        return handler(request) if handler else Reply(404, {"message": "Not Found"})

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = api.answer(
                    Request(
                        self.command,
                        parts.path,
                        parse_qs(parts.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
                payload = reply.body
                if isinstance(payload, (dict, list)):
                    payload, kind = json.dumps(payload).encode(), "application/json"
                else:
                    payload, kind = (payload.encode() if isinstance(payload, str) else payload or b""), "text/plain"
                self.send_response(reply.status)
                headers = {"Content-Type": kind, **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api():
    server = FakeApi()
    yield server
    server.close()


def no_sleep(waits: list[float]) -> Callable[[float], None]:
    """A ``sleep`` for clients that records the waits instead of sleeping."""
    return waits.append


def remapped_usage_ids(url: str, source: str) -> set[str]:
    """Daily-usage ids that ``payoff remap`` would rebuild from the stored raw payloads of ``source``."""
    with db.session(url) as s:
        raws = s.exec(select(RawPayload).where(RawPayload.source == source)).all()
    return {row["id"] for raw in raws for row in MAPPINGS[source](raw.stream, raw.payload).get("ai_usage_daily", [])}


def usage_table(url: str) -> list[dict]:
    """Every stored daily-usage row, whole and in id order: the thing two syncs must agree on."""
    with db.session(url) as s:
        return [row.model_dump() for row in s.exec(select(AIUsageDaily).order_by(AIUsageDaily.id))]


def fresh_database(tmp_path, name: str = "clean") -> str:
    """A second, empty SQLite database, for comparing a clean sync with an interrupted one."""
    url = f"sqlite:///{tmp_path / f'{name}.db'}"
    db.upgrade(url)
    return url


def resumed_sync_matches_clean(
    db_url: str, tmp_path, stream: Callable[..., Any], first, last, *, fault: Callable[[], None], error: type[Exception]
) -> list[dict]:
    """Sync ``first``, inject ``fault``, let the resumed sync to ``last`` fail, then run it twice more: the
    stored daily usage must equal a clean sync's (nothing lost, nothing doubled). Returns the rows.

    ``stream(**options)`` builds the stream under test with ``since`` / ``until`` options."""
    sink = StoreSink(db_url)
    run(stream(since=first, until=lambda: first), sink)
    fault()
    with pytest.raises(error):
        run(stream(until=lambda: last), sink)
    run(stream(until=lambda: last), sink)
    run(stream(until=lambda: last), sink)
    clean = fresh_database(tmp_path)
    run(stream(since=first, until=lambda: last), StoreSink(clean))
    assert usage_table(db_url) == usage_table(clean)
    return usage_table(db_url)

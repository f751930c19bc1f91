"""An OTLP/HTTP metrics endpoint (``POST /v1/metrics``), JSON or protobuf, gzip or not.

It decodes each export request, maps it (``connectors.otel.mapping``) and hands the rows to ``save``
(the store, wired in by the CLI); connectors never write the store themselves. Replies follow the
OTLP/HTTP spec: 200 with ``partialSuccess`` when points were rejected, 400 for an unreadable body,
401 without the configured bearer token, 503 (retryable) when saving failed.
"""

import gzip
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsPartialSuccess,
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)

from payoff.connectors.otel import mapping

PATH = "/v1/metrics"
JSON, PROTOBUF = "application/json", "application/x-protobuf"
MAX_BODY = 16 * 1024 * 1024

Save = Callable[[dict[str, list[dict]]], None]


class BadRequest(Exception):
    pass


def decode(body: bytes, content_type: str, encoding: str) -> dict:
    """An export request in OTLP's JSON mapping, whichever wire format it came in."""
    try:
        if encoding == "gzip":
            body = gzip.decompress(body)
        if content_type == PROTOBUF:
            return MessageToDict(ExportMetricsServiceRequest.FromString(body))
        request = json.loads(body or b"{}")
    except (OSError, EOFError, DecodeError) as error:
        raise BadRequest(f"cannot decode the {content_type} body: {error}") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    if not isinstance(request, dict):
        raise BadRequest("the body must be an ExportMetricsServiceRequest object")
    return request


def encode_reply(result: mapping.Increments, content_type: str) -> bytes:
    if content_type == PROTOBUF:
        reply = ExportMetricsServiceResponse()
        if result.rejected:
            reply.partial_success.CopyFrom(ExportMetricsPartialSuccess(rejected_data_points=result.rejected,
                                                                       error_message=result.reason))
        return reply.SerializeToString()
    if not result.rejected:
        return b"{}"
    return json.dumps({"partialSuccess": {"rejectedDataPoints": str(result.rejected),
                                          "errorMessage": result.reason}}).encode()


class Receiver:
    """Serves until ``shutdown``; one lock makes the adds of concurrent exports sequential."""

    def __init__(self, save: Save, *, host: str = "127.0.0.1", port: int = 4318, token: str | None = None,
                 on_error: Callable[[str], None] = lambda message: None):
        self.save, self.token, self.on_error = save, token, on_error
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.port = self.server.server_port

    def handle(self, body: bytes, content_type: str, encoding: str) -> mapping.Increments:
        request = decode(body, content_type, encoding)
        try:
            result = mapping.increments(request)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BadRequest(f"malformed metrics ({type(error).__name__}: {error}); "
                             "expected OTLP's JSON mapping") from None
        with self.lock:
            self.save(result.rows)
        return result

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def shutdown(self) -> None:
        """Stop a ``serve_forever`` running in another thread, and close the socket."""
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.path.split("?")[0] != PATH:
                    return self._reply(404, {"code": 5, "message": f"only {PATH} is served here"})
                if receiver.token and self.headers.get("Authorization") != f"Bearer {receiver.token}":
                    return self._reply(401, {"code": 16, "message": "missing or wrong bearer token"})
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY:
                    return self._reply(413, {"code": 8, "message": f"bodies above {MAX_BODY} bytes are refused"})
                kind = (self.headers.get("Content-Type") or JSON).split(";")[0].strip()
                if kind not in (JSON, PROTOBUF):
                    return self._reply(415, {"code": 3, "message": f"send {JSON} or {PROTOBUF}"})
                try:
                    result = receiver.handle(self.rfile.read(length), kind, self.headers.get("Content-Encoding", ""))
                except BadRequest as error:
                    return self._reply(400, {"code": 3, "message": str(error)})
                except Exception as error:  # the store failed: the exporter should retry later
                    receiver.on_error(f"{type(error).__name__}: {error}")
                    return self._reply(503, {"code": 14, "message": "could not save; retry later"})
                self._send(200, encode_reply(result, kind), kind)

            def _reply(self, status: int, status_body: dict) -> None:
                self._send(status, json.dumps(status_body).encode(), JSON)

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # requests are not logged: they carry people's emails
                pass

        return Handler

"""An OTLP/HTTP metrics endpoint (``POST /v1/metrics``), JSON or protobuf, gzip or not.

It decodes each export request, maps it (``connectors.otel.mapping``) and hands the result to ``save``
(the store, wired in by the CLI); connectors never write the store themselves. Replies follow the
OTLP/HTTP spec: 200 with ``partialSuccess`` when points were rejected; 400 for an unreadable body, a
negative, non-finite or out-of-range value or a bad Content-Length; 401 without a configured bearer
token; 403 when the token may not write for someone in the export; 413 for a body too large (as sent
or inflated); 503 (retryable) when saving failed.

``tokens`` maps each accepted bearer token to the identities it may write for (normalised emails or
user ids), or to ``None`` for any identity. Tokens are compared in constant time. A connection that
sends nothing for ``timeout`` seconds is closed; a gzip body is inflated as a stream and refused beyond
``MAX_DECODED`` bytes, so a small bomb cannot take the memory.
"""

import hmac
import json
import zlib
from collections.abc import Callable, Mapping
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
MAX_DECODED = 64 * 1024 * 1024

Save = Callable[[mapping.Increments], None]
Tokens = Mapping[str, frozenset[str] | None]


class Refused(Exception):
    """A request answered with ``status`` and the message, nothing saved."""

    status = 400


class TooLarge(Refused):
    status = 413


class Forbidden(Refused):
    status = 403


def gunzip(body: bytes, limit: int = MAX_DECODED) -> bytes:
    """Inflate a gzip body, stopping as soon as the output would pass ``limit`` bytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise Refused(f"cannot decode the gzip body: {error}") from None
    if len(out) > limit:
        raise TooLarge(f"the body inflates to more than {limit} bytes")
    if not inflater.eof:
        raise Refused("cannot decode the gzip body: it is truncated")
    return out


def decode(body: bytes, content_type: str, encoding: str) -> dict:
    """An export request in OTLP's JSON mapping, whichever wire format it came in."""
    if encoding == "gzip":
        body = gunzip(body)
    try:
        if content_type == PROTOBUF:
            return MessageToDict(ExportMetricsServiceRequest.FromString(body))
        request = json.loads(body or b"{}")
    except DecodeError as error:
        raise Refused(f"cannot decode the {content_type} body: {error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        where = f" at line {error.lineno}, column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise Refused(f"invalid JSON{where}: {getattr(error, 'msg', error)}") from None
    if not isinstance(request, dict):
        raise Refused("the body must be an ExportMetricsServiceRequest object")
    return request


def encode_reply(result: mapping.Increments, content_type: str) -> bytes:
    if content_type == PROTOBUF:
        reply = ExportMetricsServiceResponse()
        if result.rejected:
            reply.partial_success.CopyFrom(
                ExportMetricsPartialSuccess(rejected_data_points=result.rejected, error_message=result.reason)
            )
        return reply.SerializeToString()
    if not result.rejected:
        return b"{}"
    return json.dumps(
        {"partialSuccess": {"rejectedDataPoints": str(result.rejected), "errorMessage": result.reason}}
    ).encode()


def content_length(value: str | None) -> int:
    """The declared body size; refused unless a plain non-negative integer no larger than MAX_BODY."""
    if value is None:
        raise Refused("send a Content-Length header")
    if not value.strip().isdigit():
        raise Refused(f"Content-Length {value!r} is not a byte count")
    if int(value) > MAX_BODY:
        raise TooLarge(f"bodies above {MAX_BODY} bytes are refused")
    return int(value)


class Receiver:
    """Serves until ``shutdown``. Concurrent exports are saved concurrently: the store adds in the database."""

    def __init__(
        self,
        save: Save,
        *,
        host: str = "127.0.0.1",
        port: int = 4318,
        tokens: Tokens | None = None,
        timeout: float = 30.0,
        on_error: Callable[[str], None] = lambda message: None,
    ):
        self.save, self.tokens, self.timeout, self.on_error = save, dict(tokens or {}), timeout, on_error
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.port = self.server.server_port

    def allowed(self, authorization: str | None) -> tuple[bool, frozenset[str] | None]:
        """Whether the request may write at all, and for whom (``None``: anyone). Every configured
        token is compared, each in constant time, so the answer's timing tells nothing about them."""
        if not self.tokens:
            return True, None
        given = (authorization or "").encode()
        found, identities = False, None
        for token, permitted in self.tokens.items():
            if hmac.compare_digest(given, f"Bearer {token}".encode()):
                found, identities = True, permitted
        return found, identities

    def handle(
        self, body: bytes, content_type: str, encoding: str, identities: frozenset[str] | None = None
    ) -> mapping.Increments:
        request = decode(body, content_type, encoding)
        try:
            result = mapping.increments(request)
        except mapping.Invalid as error:
            raise Refused(str(error)) from None
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise Refused(
                f"malformed metrics ({type(error).__name__}: {error}); expected OTLP's JSON mapping"
            ) from None
        if identities is not None:
            others = {who["external_id"] for who in result.identities} - identities
            if others:
                raise Forbidden(f"this token may not write usage for {len(others)} of the identities in the export")
        self.save(result)
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
            timeout = receiver.timeout  # per connection: a stalled client is dropped, not waited for

            def do_POST(self):
                if self.path.split("?")[0] != PATH:
                    return self._reply(404, {"code": 5, "message": f"only {PATH} is served here"})
                permitted, identities = receiver.allowed(self.headers.get("Authorization"))
                if not permitted:
                    return self._reply(401, {"code": 16, "message": "missing or wrong bearer token"})
                kind = (self.headers.get("Content-Type") or JSON).split(";")[0].strip()
                if kind not in (JSON, PROTOBUF):
                    return self._reply(415, {"code": 3, "message": f"send {JSON} or {PROTOBUF}"})
                try:
                    length = content_length(self.headers.get("Content-Length"))
                    body = self.rfile.read(length)
                    if len(body) < length:
                        raise Refused("the body is shorter than its Content-Length")
                    result = receiver.handle(body, kind, self.headers.get("Content-Encoding", ""), identities)
                except Refused as error:
                    self.close_connection = True  # what is left of the body must not be read as a request
                    return self._reply(error.status, {"code": 3, "message": str(error)})
                except TimeoutError:
                    self.close_connection = True
                    return None
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

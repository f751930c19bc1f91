"""The shared plain-HTTP behaviour, against a real loopback server."""

import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from payoff.connectors.http import HttpClient
from payoff.connectors.sync import RateLimited, SourceError
from tests.connectors.conftest import Reply

SECRET = "sk-very-secret"


def client(api, waits=None, **options) -> HttpClient:
    options = {"retries": 2, "backoff": 0.01, "timeout": 2, **options}
    return HttpClient(
        api.url,
        name="Vendor",
        headers={"Authorization": f"Bearer {SECRET}"},
        secret=SECRET,
        key_hint="VENDOR_KEY",
        sleep=(waits if waits is not None else []).append,
        **options,
    )


def test_error_bodies_never_echo_the_key(api):
    api.route("GET", "/v1/x", lambda request: Reply(403, {"error": {"message": f"key {SECRET} lacks scope"}}))
    with pytest.raises(SourceError) as error:
        client(api).get("/v1/x")
    assert SECRET not in str(error.value) and "key *** lacks scope" in str(error.value)
    assert "Check VENDOR_KEY" in str(error.value)


def test_retry_after_as_http_date_and_persistent_429(api):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    api.fail(Reply(429, {"error": "slow down"}, {"Retry-After": later}), times=3)
    waits = []
    with pytest.raises(RateLimited, match="still rate limiting"):
        client(api, waits).get("/v1/x")
    assert len(waits) == 2 and all(25 <= w <= 31 for w in waits)


def test_timeouts_are_retried_then_reported(api):
    def slow(request):
        time.sleep(0.3)
        return Reply(200, {"ok": True})

    api.route("GET", "/v1/slow", slow)
    waits = []
    with pytest.raises(SourceError, match="did not answer.*/v1/slow: ReadTimeout"):
        client(api, waits, timeout=0.05, retries=1).get("/v1/slow")
    assert waits == [0.01]


def test_unreachable_server_and_signed_link_query_stay_out_of_messages(api):
    unreachable = HttpClient("http://127.0.0.1:9", name="Vendor", headers={}, secret=SECRET, key_hint="K", retries=0)
    with pytest.raises(SourceError, match="did not answer at 127.0.0.1:9/v1/x"):
        unreachable.get("/v1/x")
    api.route("GET", "/file.ndjson", lambda request: Reply(500, "oops"))
    with pytest.raises(SourceError) as error:
        client(api, retries=0).download(f"{api.url}/file.ndjson?sig=abc123")
    assert "abc123" not in str(error.value)

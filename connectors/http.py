"""Plain HTTP for the sources that have no client library (Anthropic, Cursor, OpenAI, Copilot downloads).

One place decides how Payoff behaves on the wire: timeouts, retries of 429 and 5xx honouring
``Retry-After``, stopping with ``RateLimited`` when the wait is longer than worth sitting through,
clear ``SourceError``s for refused keys and unreadable bodies, and a count of the requests made.
Keys travel only in headers and are scrubbed from every message, in each form (``connectors.secrets``).
"""

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from payoff.connectors import secrets
from payoff.connectors.sync import RateLimited, SourceError

RETRIED = {429, 500, 502, 503, 504}


class HttpClient:
    """A JSON API at ``base_url`` reached with fixed auth ``headers``.

    ``retries`` is how many times a 429, 5xx or dropped connection is retried; waits double from
    ``backoff`` seconds unless the server sends ``Retry-After``. A wait longer than ``max_wait`` seconds
    stops the sync with ``RateLimited`` instead (everything fetched so far is already saved).
    ``sleep`` is injectable so tests run without waiting.
    """

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        headers: Mapping[str, str],
        secret: str,
        key_hint: str,
        timeout: float = 30,
        retries: int = 4,
        backoff: float = 2.0,
        max_wait: float = 300,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.name, self.key_hint = name, key_hint
        self._headers, self._forms = dict(headers), secrets.forms([secret, *headers.values()])
        self.timeout, self.retries, self.backoff, self.max_wait, self.sleep = timeout, retries, backoff, max_wait, sleep
        self.session = requests.Session()
        self.requests = 0

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.json(self.send("GET", path, params=params))

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        return self.json(self.send("POST", path, json=body))

    def download(self, url: str) -> str:
        """Fetch a pre-signed URL as text, without our auth headers (the link carries its own)."""
        return self.send("GET", url, authenticated=False).text

    def send(self, method: str, path: str, *, authenticated: bool = True, **kwargs: Any) -> requests.Response:
        """One API call with retries; returns the successful response or raises a clear ``SourceError``."""
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        headers = self._headers if authenticated else {}
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except requests.RequestException as error:
                if attempt == self.retries:
                    raise SourceError(f"{self.name} did not answer at {_where(url)}: {type(error).__name__}") from None
                self._wait(self.backoff * 2**attempt, url, status=None)
                continue
            if response.status_code < 400:
                return response
            if response.status_code not in RETRIED or attempt == self.retries:
                raise self._error(response, url)
            asked = _retry_after(response)
            self._wait(self.backoff * 2**attempt if asked is None else asked, url, status=response.status_code)
        raise AssertionError("unreachable")

    def json(self, response: requests.Response) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            snippet = self._scrub(response.text[:120])
            raise SourceError(
                f"{self.name} sent a body that is not JSON from {_where(response.url)} "
                f"(HTTP {response.status_code}): {snippet!r}"
            ) from None

    def _wait(self, seconds: float, url: str, *, status: int | None) -> None:
        if seconds > self.max_wait:
            resume = datetime.now(UTC) + timedelta(seconds=seconds)
            if status == 429:
                raise RateLimited(f"{self.name} asked us to wait {seconds:.0f} s at {_where(url)}", resume)
            raise SourceError(f"{self.name} keeps failing at {_where(url)} (HTTP {status}); try again later")
        self.sleep(seconds)

    def _error(self, response: requests.Response, url: str) -> SourceError:
        status, message = response.status_code, self._scrub(_message(response))
        if status in (401, 403):
            return SourceError(f"{self.name} refused the key (HTTP {status}: {message}). Check {self.key_hint}.")
        if status == 429:
            return RateLimited(f"{self.name} is still rate limiting after {self.retries} retries", None)
        return SourceError(f"{self.name} answered HTTP {status} at {_where(url)}: {message}")

    def _scrub(self, text: str) -> str:
        return secrets.scrub(text, self._forms)


def _where(url: str) -> str:
    """Host and path only: signed links carry credentials in their query string."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        try:
            return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
        except (TypeError, ValueError):
            return None


def _message(response: requests.Response) -> str:
    """The API's own error text (all four vendors nest it under ``error``), else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason or ""
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    return str(error)[:200]

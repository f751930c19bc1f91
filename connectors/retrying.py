"""How the library-backed clients (PyGithub, jira) ride out a flaky or busy source.

Both libraries can retry by themselves, but they sleep silently and for as long as the server asks.
Payoff switches their retries off and decides here instead, the same way for every such client:
transient faults (5xx, timeouts, dropped connections, truncated JSON) are retried with doubling waits;
a rate limit is waited out *visibly* when the wait is at most ``max_wait`` seconds, and otherwise the
sync stops with ``RateLimited`` saying when to resume (everything fetched so far is already saved).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import requests

from payoff.connectors.sync import RateLimited, SourceError

T = TypeVar("T")


@dataclass(frozen=True)
class Fault:
    """One failed call as its client understands it. ``message`` is shown to users: never a token."""

    message: str
    transient: bool = False
    wait: float | None = None  # set when rate limited: seconds until the source takes calls again


@dataclass
class Retrying:
    """The retry policy; tests make the waits tiny through ``backoff`` and ``sleep``, never by patching."""

    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    notify: Callable[[str], None] = lambda message: None

    def call(self, action: Callable[[], T], classify: Callable[[Exception], Fault | None]) -> T:
        """Run ``action`` until it succeeds; ``classify`` turns a library error into a ``Fault``
        (``None`` means a bug of ours, which is raised as it is)."""
        attempt = 0
        while True:
            try:
                return action()
            except Exception as error:
                fault = classify(error)
                if fault is None:
                    raise
                self._handle(fault, attempt)
                attempt += 1

    def _handle(self, fault: Fault, attempt: int) -> None:
        if fault.wait is not None:
            wait = max(fault.wait, 0.0)
            until = datetime.now(UTC) + timedelta(seconds=wait)
            if wait > self.max_wait or attempt >= self.retries:
                raise RateLimited(fault.message, until) from None
            self.notify(f"{fault.message}: waiting {wait:.0f} s, until {until:%H:%M:%S} UTC")
            self.sleep(wait)
        elif fault.transient and attempt < self.retries:
            self.sleep(self.backoff * 2**attempt)
        else:
            raise SourceError(
                f"{fault.message} (gave up after {attempt} retries)" if fault.transient else fault.message
            ) from None


def wire_fault(error: Exception, source: str, what: str, *, address_option: str) -> Fault | None:
    """The faults beneath any API's own errors: no answer in time, no connection, a body that is not JSON
    (a dropped connection truncates it). All are worth another try."""
    if isinstance(error, requests.Timeout):
        return Fault(f"{source} did not answer in time for {what}", transient=True)
    if isinstance(error, requests.ConnectionError):
        return Fault(
            f"Cannot reach {source} for {what} (connection failed). Check {address_option} and the network.",
            transient=True,
        )
    if isinstance(error, ValueError):
        return Fault(f"{source} sent invalid or truncated JSON for {what}", transient=True)
    return None

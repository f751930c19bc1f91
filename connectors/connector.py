"""What a connector declares about itself, once.

Every connector folder has a ``connector.py`` whose ``CONNECTOR`` names the source (what its streams and
raw payloads carry), the environment variables it reads, the options of its ``payoff sync`` command, the
streams it writes, how it connects (options and keys in, streams out) and the pure mapping ``payoff
remap`` replays. The settings, the CLI, the docs test and remap iterate over these declarations
(``connectors.registry``), so a new source is its folder plus a section in docs/connectors.md.
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from payoff.connectors.sync import Stream

# (stream, payload) -> rows: one stored raw payload back into domain rows, keyed by table name.
Remap = Callable[[str, dict], dict[str, list[dict]]]


@dataclass(frozen=True)
class Key:
    """A secret read from the environment variable ``variable``; never printed, logged or stored."""

    variable: str
    help: str
    required: bool = True


@dataclass(frozen=True)
class Option:
    """An option of ``payoff sync <command>``, spelled ``--name-with-dashes``.

    ``type`` is ``str``, ``float``, ``date``, ``Path`` or ``list[str]`` (repeatable); without a default
    the option is required.
    """

    name: str
    type: Any
    help: str
    default: Any = ...
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Context:
    """What ``connect`` gets: option values by name (every declared option present), key values by
    variable (None when unset), a way to tell the user something (rate-limit waits), the pull
    requests the store holds as final per repository (a forge never needs to fetch them again), and the
    ``updated`` time stored per ticket key (a tracker skips what did not change), the organisation's
    settings (prices a source does not send) and the raw payloads stored for a source's stream and scope
    (a seat list ends the seats it no longer holds)."""

    options: Mapping[str, Any]
    keys: Mapping[str, str | None]
    notify: Callable[[str], None] = lambda message: None
    final_pull_requests: Callable[[], Mapping[str, Collection[int]]] = dict
    ticket_updates: Callable[[], Mapping[str, datetime]] = dict
    org_settings: Callable[[], Mapping[str, Any]] = dict
    raw_payloads: Callable[[str, str, str], Mapping[str, dict]] = lambda source, stream, scope: {}


@dataclass
class Connection:
    """A connected source: its streams (may be produced lazily) and how many API requests it made so far."""

    streams: Iterable[Stream]
    requests: Callable[[], int]


@dataclass(frozen=True)
class Connector:
    name: str
    help: str  # the sync command's help; its first line is the summary
    remap: Remap
    streams: tuple[str, ...]
    keys: tuple[Key, ...] = ()
    options: tuple[Option, ...] = ()
    # None: the source has no ``payoff sync`` command (files arrive through ``payoff import``).
    connect: Callable[[Context], Connection] | None = None
    # After a sync, ticket <-> pull request links are recomputed (the source writes one side of them).
    links_tickets: bool = False

    @property
    def command(self) -> str:
        """``payoff sync <command>``: the source name with dashes."""
        return self.name.replace("_", "-")


# Options several connectors share.
SINCE = Option(
    "since",
    date,
    "Re-read from this UTC day (default: resume at the last synced day; first run: see above).",
    None,
    "YYYY-MM-DD",
)
UPDATED_SINCE = Option(
    "since",
    date,
    "Skip what was last updated before this UTC day (limits the first sync; "
    "later syncs resume at their cursor anyway).",
    None,
    "YYYY-MM-DD",
)
MAX_WAIT = Option(
    "max_wait",
    float,
    "Longest rate-limit wait to sit through (shown while waiting); a longer one "
    "stops the sync with exit code 3 and says when to resume.",
    900.0,
    "SECONDS",
)

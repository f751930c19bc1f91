"""``payoff remap``: re-apply the connectors' mappings to the raw payloads already stored.

A fixed or extended mapping thereby reaches old data without a single API call. Payloads are read
in batches (never the whole table in memory) and written through the same path as a sync page.
"""

from collections.abc import Callable, Iterable

from sqlmodel import Session, select

from payoff.connectors.registry import MAPPINGS
from payoff.connectors.sync import Page
from payoff.store.models import RawPayload
from payoff.store.linking import relink
from payoff.store.pull_requests import prune_signals
from payoff.store.writes import write_rows

BATCH = 200


def raw_payloads(session: Session, source: str, stream: str, scope: str) -> dict[str, dict]:
    """The payloads stored for one stream and scope, by object id."""
    query = select(RawPayload.object_id, RawPayload.payload).where(
        RawPayload.source == source, RawPayload.stream == stream, RawPayload.scope == scope
    )
    return dict(session.exec(query).all())


def remap(
    session: Session,
    sources: Iterable[str] | None = None,
    on_batch: Callable[[str, int], None] = lambda source, count: None,
) -> dict[str, int]:
    """Rebuild the domain rows of ``sources`` (default: every registered one); returns payloads per source."""
    counts = {}
    for source in sources or MAPPINGS:
        mapping, counts[source], page = MAPPINGS[source], 0, Page()
        query = select(RawPayload.stream, RawPayload.payload).where(RawPayload.source == source).order_by(RawPayload.id)
        for stream, payload in session.exec(query.execution_options(yield_per=BATCH)):
            page.add(mapping(stream, payload))
            counts[source] += 1
            if counts[source] % BATCH == 0:
                write_rows(session, page.rows)
                page = Page()
                on_batch(source, counts[source])
        write_rows(session, page.rows)
        on_batch(source, counts[source])
    prune_signals(session)
    relink(session)
    return counts

"""What the store knows about pull requests that the outcome syncs rely on.

* Merged and closed pull requests are final: the GitHub sync is told which ones it already has, so it
  never fetches them again.
* A ticket is tied (``fixes``) to the pull requests whose title or branch names its key, or that name
  it explicitly (``ticket_keys``, from an import). The links are recomputed from both tables after
  every GitHub sync, Jira sync, import and remap, so they appear whichever side arrives first and
  follow a renamed title.
* The explicit AI signals of a pull request are what its latest payload shows: one that disappeared (a
  label removed while the pull request was open) is dropped after the sync that saw it go.
"""

import re
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from payoff.connectors.github import mapping as github
from payoff.store.models import AISignal, PullRequest, RawPayload, Ticket, TicketPullRequest
from payoff.store.writes import upsert

# A Jira key (PROJECT-123) standing on its own; branches often lower-case it (feature/abc-123-login).
TICKET_KEY = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]*-\d+)(?!\d)")


def final_numbers(session: Session) -> dict[str, set[int]]:
    """Per repository, the numbers of the stored pull requests that are merged or closed."""
    final: dict[str, set[int]] = defaultdict(set)
    for repo, number in session.exec(select(PullRequest.repo, PullRequest.number).where(PullRequest.state != "open")):
        final[repo].add(number)
    return final


def mentioned_keys(*texts: str | None) -> set[str]:
    return {key.upper() for text in texts if text for key in TICKET_KEY.findall(text)}


def link_tickets(session: Session) -> int:
    """Recompute the ``fixes`` links between tickets and pull requests; returns how many there are."""
    tickets = {key.upper(): ticket_id for ticket_id, key in session.exec(select(Ticket.id, Ticket.key))}
    wanted = {}
    prs = select(PullRequest.id, PullRequest.title, PullRequest.head_ref, PullRequest.ticket_keys)
    for pr_id, title, branch, named in session.exec(prs):
        for key in (mentioned_keys(title, branch) | {key.upper() for key in named or ()}) & tickets.keys():
            link = f"{tickets[key]}|{pr_id}|fixes"
            wanted[link] = {"id": link, "ticket_id": tickets[key], "pr_id": pr_id, "kind": "fixes"}
    stale = set(session.exec(select(TicketPullRequest.id).where(TicketPullRequest.kind == "fixes"))) - wanted.keys()
    if stale:
        session.execute(delete(TicketPullRequest).where(TicketPullRequest.id.in_(stale)))
    upsert(session, TicketPullRequest, wanted.values())
    return len(wanted)


def prune_signals(session: Session, *, fetched_since: datetime | None = None) -> int:
    """Drop the explicit AI signals that the latest payload of a pull request (fetched since
    ``fetched_since``; default: all) no longer shows. Signals of other kinds (telemetry) are left alone."""
    query = select(RawPayload.stream, RawPayload.payload).where(RawPayload.source == github.SOURCE)
    if fetched_since:
        query = query.where(RawPayload.fetched_at >= fetched_since)
    shown: dict[str, set[str]] = {}
    for stream, payload in session.exec(query.execution_options(yield_per=500)):
        rows = github.remap(stream, payload)
        shown[rows["pull_request"][0]["id"]] = {signal["id"] for signal in rows["ai_signal"]}
    stored = session.exec(select(AISignal.id, AISignal.pr_id).where(AISignal.kind.in_(github.SIGNAL_KINDS)))
    gone = [signal for signal, pr in stored if pr in shown and signal not in shown[pr]]
    for start in range(0, len(gone), 500):
        session.execute(delete(AISignal).where(AISignal.id.in_(gone[start:start + 500])))
    return len(gone)

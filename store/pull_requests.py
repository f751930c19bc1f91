"""What the store knows that the outcome syncs rely on.

* Merged and closed pull requests are final: the GitHub sync is told which ones it already has, so it
  never fetches them again.
* A Jira issue whose ``updated`` equals the stored one is unchanged: the Jira sync skips it (and its
  changelog and remote links) when the search's overlap reads it again.
* The explicit AI signals of a pull request are what its latest payload shows: one that disappeared (a
  label removed while the pull request was open) is dropped after the sync that saw it go.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from payoff.connectors.github import mapping as github
from payoff.store.models import AISignal, PullRequest, RawPayload, Ticket


def final_numbers(session: Session) -> dict[str, set[int]]:
    """Per repository, the numbers of the stored pull requests that are merged or closed."""
    final: dict[str, set[int]] = defaultdict(set)
    for repo, number in session.exec(select(PullRequest.repo, PullRequest.number).where(PullRequest.state != "open")):
        final[repo].add(number)
    return final


def ticket_updates(session: Session) -> dict[str, datetime]:
    """Jira key -> the ``updated`` time stored for it."""
    return dict(session.exec(select(Ticket.key, Ticket.updated_at).where(Ticket.updated_at.is_not(None))).all())


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
        session.execute(delete(AISignal).where(AISignal.id.in_(gone[start : start + 500])))
    return len(gone)

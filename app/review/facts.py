"""What a review shows, gathered from the metrics layer for one authorised scope.

The only module of the review that calls the metrics layer (its load step and its assembly, as the app's
pages and ``payoff metrics`` do); everything after it is layout.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from payoff.app import access
from payoff.app.review.scope import Scope
from payoff.metrics import ai_assisted, quality, tables
from payoff.metrics.cards import CARDS, Card
from payoff.metrics.load import load_months
from payoff.metrics.periods import months_until
from payoff.metrics.queries import TREND_MONTHS
from payoff.metrics.records import as_records
from payoff.metrics.suppression import suppress
from payoff.store import self_service

Record = dict[str, Any]


@dataclass(frozen=True)
class Facts:
    """``trend``: the scope's ``payoff metrics`` row for each month, oldest first, the reviewed month last.
    ``breakdown``: per-team rows the viewer may see (organisation review). ``comparison``: AI-assisted vs
    other PRs (then tickets) over this month and the two before it. ``quality``: rates, link coverage and
    ticket cycle time of the reviewed month. ``signals``: waste signals with evidence and the person's note (person reviews only). ``cards``: the
    metric definition cards. ``records``: the rows the CSV carries."""

    trend: list[Record]
    cards: list[Card]
    breakdown: list[Record] = field(default_factory=list)
    hidden_groups: int = 0
    comparison: list[Record] = field(default_factory=list)
    signals: list[Record] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    quality: Record = field(default_factory=dict)  # metrics.quality.quality_month's row for the scope

    @property
    def current(self) -> Record:
        return self.trend[-1]

    @property
    def empty(self) -> bool:
        return is_quiet(self.current)


def is_quiet(record: Record) -> bool:
    """No outcome and no AI usage in the record's month."""
    return not any(
        record.get(k)
        for k in (
            "prs_merged",
            "tickets_closed",
            "bugs_opened",
            "bugs_fixed",
            "input_tokens",
            "output_tokens",
            "tokens",
            "cost_usd",
        )
    )


def gather(session: Session, viewer: access.Viewer, scope: Scope, month: str) -> Facts:
    """The facts of an authorised scope. Access was decided before (``scope.authorise``), so group figures
    are asked for with ``individuals_visible=True``: suppression is ``app.access``'s decision here."""
    if scope.subject.kind == "person":
        return _person(session, scope, month)
    if scope.subject.kind == "team":
        return _team(session, scope, month)
    return _organisation(session, viewer, month)


def _person(session: Session, scope: Scope, month: str) -> Facts:
    (person_id,) = scope.members
    loaded = load_months(session, months_until(month, TREND_MONTHS), [person_id])
    trend = [as_records(tables.person_table(data))[0] for data in loaded]
    data = loaded[-1]  # the reviewed month: its signals and comparison
    notes = self_service.signal_notes(session, person_id=person_id, month=month)
    signals = [
        {"name": s.name, "evidence": s.evidence, "note": notes.get(s.name, "")}
        for s in tables.signals(data).get(person_id, [])
    ]
    comparison = _comparison(session, data.prs, month, [person_id])
    return Facts(
        trend=trend,
        cards=list(CARDS),
        comparison=comparison,
        signals=signals,
        records=trend,
        quality=_quality(session, month, [person_id], "person"),
    )


def _team(session: Session, scope: Scope, month: str) -> Facts:
    """The team month by month: the rows of the app's trend and per-team table for it (one assembly)."""
    loaded = load_months(session, months_until(month, TREND_MONTHS), scope.members)
    trend = _records(tables.trend_table(loaded, label=scope.subject.name))
    comparison = _comparison(session, loaded[-1].prs, month, scope.members)
    return Facts(
        trend=trend,
        cards=list(CARDS),
        comparison=comparison,
        records=trend,
        quality=_quality(session, month, scope.members, "org"),
    )


def _organisation(session: Session, viewer: access.Viewer, month: str) -> Facts:
    """The organisation month by month (the rows ``queries.trend`` gives), and the teams the viewer may see
    this month, all from one load of the six months."""
    loaded = load_months(session, months_until(month, TREND_MONTHS))
    persons = [tables.person_table(data) for data in loaded]
    trend = _records(tables.trend_table(loaded, persons))
    teams = _records(tables.group_table(loaded[-1], "team", persons[-1]))
    people = loaded[-1].people
    members = {team: set(part["person_id"]) for team, part in people.fillna({"team": "(no team)"}).groupby("team")}
    shown = [row for row in teams if access.may_see_group(session, viewer, members.get(row["team"], set()))]
    comparison = _comparison(session, loaded[-1].prs, month, None)
    return Facts(
        trend=trend,
        cards=list(CARDS),
        breakdown=shown,
        hidden_groups=len(teams) - len(shown),
        comparison=comparison,
        records=trend + shown,
        quality=_quality(session, month, None, "org"),
    )


def _comparison(session: Session, prs, month: str, members) -> list[Record]:
    """AI-assisted vs other: the PRs, then the tickets' cycle time."""
    return as_records(ai_assisted.ai_vs_other(prs)) + as_records(
        quality.ticket_ai_vs_other(session, month=month, person_ids=members)
    )


def _quality(session: Session, month: str, members, by: str) -> Record:
    return as_records(quality.quality_month(session, month=month, person_ids=members, by=by))[0]


def _records(table) -> list[Record]:
    """A group table's rows as the app's pages give them to a viewer who may see the group: nothing
    blanked (access was decided before), ``suppressed`` false."""
    return as_records(suppress(table, k=0, individuals_visible=True))

"""Every table Payoff stores, in one module.

Conventions that every connector, import and the demo rely on:

* Domain rows carry a stable, namespaced string id (``github:pr:acme/api:42``), so a re-run upserts
  and never duplicates.
* Rows that belong to a person carry ``identity_id`` (who the source says it was, e.g.
  ``github:octocat``) and ``person_id`` (who that is in Payoff, ``None`` while unmatched). Unmatched
  rows are kept, never dropped; matching a person later fills ``person_id`` in place.
* Normalised values sit beside the source's original (``state`` + ``original_state``).
* Times are timezone-aware and stored as UTC (SQLModel refuses naive ones); days are UTC dates.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

ROLES = ("employee", "manager", "leader", "admin")
TICKET_TYPES = ("bug", "story", "task", "other")
PR_STATES = ("open", "merged", "closed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Team(SQLModel, table=True):
    name: str = Field(primary_key=True)
    parent: str | None = Field(default=None, description="Name of the team or unit above this one")


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    name: str
    team: str | None = Field(default=None, foreign_key="team.name", index=True)
    manager_email: str | None = Field(default=None, index=True)
    role: str = Field(default="employee", description="employee | manager | leader | admin")
    # False for people whose work is not delivery (a director, a designer): no outcome is expected of them,
    # so no "spend without outcomes" signal and no empty outcome charts on their page.
    codes: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # Set by the person (or an admin at their request): ``payoff deliver`` sends them nothing.
    review_email_opt_out: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Identity(SQLModel, table=True):
    """Who a source says someone is; ``person_id`` is ``None`` while nobody matches."""

    id: str = Field(primary_key=True, description="<source>:<external id>, e.g. github:octocat")
    source: str = Field(index=True)
    external_id: str
    label: str | None = Field(default=None, description="Email or display name the source gave")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    first_seen: datetime = Field(default_factory=utcnow)


class AIUsageDaily(SQLModel, table=True):
    __tablename__ = "ai_usage_daily"
    __table_args__ = (Index("ix_ai_usage_daily_day_person", "day", "person_id"),)

    id: str = Field(primary_key=True, description="<source>:<identity>:<day>:<tool>")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Not indexed: no read looks usage rows up by identity (they follow it through ``person_id``), and
    # keeping the index up to date slowed every import (docs/performance.md, import fourth round).
    identity_id: str
    day: date
    tool: str = Field(description="copilot | claude_code | cursor | openai | <in-house agent>")
    source: str = Field(description="Connector or import that wrote the row")
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    requests: int = 0
    sessions: int = 0
    lines_suggested: int = 0
    lines_accepted: int = 0
    lines_removed: int = 0
    commits: int = 0
    pull_requests: int = 0
    ai_credits: float = Field(
        default=0.0,
        sa_column_kwargs={"server_default": "0"},
        description="Use billed per unit (Copilot premium requests / AI credits); priced in cost_usd",
    )
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class OtelPoint(SQLModel, table=True):
    """A telemetry data point already added to ``ai_usage_daily``, so that an export sent again (an
    exporter's retry) is not added twice. Kept for ``store.usage.REPLAY_WINDOW`` after it arrived."""

    __tablename__ = "otel_point"

    id: str = Field(primary_key=True, description="Hash of the point's metric, attributes and times")
    received_at: datetime = Field(default_factory=utcnow, index=True)


class UsageWeek(SQLModel, table=True):
    """``ai_usage_daily`` rolled up per person and *week part*: the days of the week starting ``week`` (a
    Monday) that fall in the month starting ``month`` (a week across two months has two parts), so that
    both weekly and monthly sums are exact. Derived state: ``store.rollups`` rewrites it with every write
    of daily usage; nothing else writes it. Rows of unmatched identities are not in it."""

    __tablename__ = "usage_week"
    __table_args__ = (Index("ix_usage_week_week", "week", "person_id"),)

    person_id: int = Field(primary_key=True)
    week: date = Field(primary_key=True)
    month: date = Field(primary_key=True)
    day_mask: int = Field(description="Bit d set (d = 0 for Monday): that day had AI activity")
    active_days: int
    input_tokens: int = Field(sa_type=BigInteger)  # a week's sum can pass 2**31 where a day's does not
    output_tokens: int = Field(sa_type=BigInteger)
    cost_usd: float
    requests: int = Field(sa_type=BigInteger)


class AgentRun(SQLModel, table=True):
    __tablename__ = "agent_run"

    id: str = Field(primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    identity_id: str = Field(index=True)
    agent: str
    started_at: datetime = Field(index=True)
    task_fingerprint: str = Field(index=True)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    source: str


class Seat(SQLModel, table=True):
    """A paid AI-tool seat; assigned-but-unused seats are a cost with no outcome."""

    id: str = Field(primary_key=True, description="<tool>:seat:<scope>:<user>")
    tool: str
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    identity_id: str = Field(index=True)
    assigned_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_activity_editor: str | None = None
    pending_cancellation_date: date | None = None
    plan_type: str | None = None
    monthly_cost_usd: float | None = None
    cycle_started_on: date | None = Field(default=None, description="Start of the current billing cycle")
    cycle_spend_usd: float | None = Field(
        default=None, description="Usage-based spend so far in the current billing cycle (Cursor)"
    )
    ended_at: datetime | None = Field(default=None, description="First sync whose seat list no longer held it")
    price_assumed: bool = Field(
        default=False,
        sa_column_kwargs={"server_default": false()},
        description="No plan in the payload: priced at the organisation's default",
    )


class PullRequest(SQLModel, table=True):
    __tablename__ = "pull_request"
    __table_args__ = (Index("ix_pull_request_merged_person", "merged_at", "person_id"),)

    id: str = Field(primary_key=True, description="<forge>:pr:<owner/repo>:<number>")
    repo: str = Field(index=True)
    number: int
    title: str = Field(default="", sa_column=Column(Text))
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    identity_id: str = Field(index=True)
    state: str = Field(description="open | merged | closed")
    original_state: str
    draft: bool = False
    head_ref: str | None = None
    base_ref: str | None = None
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    first_commit_at: datetime | None = None
    created_at: datetime
    first_review_at: datetime | None = Field(
        default=None, description="Earliest review submitted by someone other than the author"
    )
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime
    additions: int | None = None
    deletions: int | None = None
    changed_files: int | None = None
    commits: int | None = None
    body: str = Field(default="", sa_column=Column(Text))
    head_sha: str | None = Field(default=None, index=True)
    merge_commit_sha: str | None = Field(default=None, index=True)
    # Derived by store.linking from every stored PR (a revert names its target by title or SHA).
    reverts_pr_id: str | None = Field(default=None, index=True, description="Id of the PR this one reverts")
    ticket_keys: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON),
        description="Ticket keys the source names explicitly (beside title and branch)",
    )
    stated_reverts_pr_id: str | None = Field(
        default=None, description="The PR a source says this one reverts (an import's reverts column)"
    )
    reverts_rule: str | None = Field(default=None, description="How the revert was recognised (store.linking)")


class PullRequestCommit(SQLModel, table=True):
    """One of a pull request's own commits (its message names reverted commits and AI trailers)."""

    __tablename__ = "pull_request_commit"

    id: str = Field(primary_key=True, description="<pr id>:<sha>")
    pr_id: str = Field(foreign_key="pull_request.id", index=True)
    sha: str = Field(index=True)
    message: str = Field(default="", sa_column=Column(Text))


class PullRequestReview(SQLModel, table=True):
    __tablename__ = "pull_request_review"

    id: str = Field(primary_key=True, description="github:review:<owner/repo>:<review id>")
    pr_id: str = Field(foreign_key="pull_request.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    identity_id: str | None = Field(default=None, description="None for a deleted account")
    state: str
    submitted_at: datetime | None = None


class AISignal(SQLModel, table=True):
    """Evidence that a pull request was AI-assisted."""

    __tablename__ = "ai_signal"

    id: str = Field(primary_key=True, description="<pr id>:<kind>:<tool>")
    pr_id: str = Field(foreign_key="pull_request.id", index=True)
    kind: str = Field(description="trailer | bot_author | branch_prefix | label | telemetry")
    tool: str = Field(description="copilot | claude | cursor | codex | devin | unknown")
    confidence: str = Field(description="high | low")
    evidence: str = Field(sa_column=Column(Text))


class Ticket(SQLModel, table=True):
    __table_args__ = (Index("ix_ticket_resolved_person", "resolved_at", "person_id"),)

    id: str = Field(primary_key=True, description="jira:<KEY>")
    key: str = Field(index=True)
    project: str
    summary: str = Field(default="", sa_column=Column(Text))
    description: str = Field(default="", sa_column=Column(Text), description="Plain text (Cloud's ADF flattened)")
    type: str = Field(description="bug | story | task | other")
    original_type: str
    status: str
    status_category: str = Field(description="new | indeterminate | done (Jira's keys)")
    priority: str | None = None
    created_at: datetime
    updated_at: datetime | None = Field(default=None, description="Jira's updated: a re-sync skips unchanged issues")
    resolved_at: datetime | None = None
    resolution: str | None = None
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    identity_id: str | None = Field(default=None, index=True, description="Assignee; None if unassigned")
    story_points: float | None = None
    links: list[dict[str, str]] = Field(
        default_factory=list,
        sa_column=Column(JSON),
        description="Jira issue links as read from this ticket: {type (the phrase), key, name (the link type)}",
    )
    remote_links: list[str] = Field(default_factory=list, sa_column=Column(JSON), description="Remote link URLs")


class TicketTransition(SQLModel, table=True):
    """One status change from a ticket's Jira changelog."""

    __tablename__ = "ticket_transition"

    id: str = Field(primary_key=True, description="jira:<KEY>:<history id>:<item index>")
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    at: datetime
    from_status: str | None = None
    to_status: str
    from_category: str | None = Field(default=None, description="new | indeterminate | done, when known")
    to_category: str | None = None


class TicketCycle(SQLModel, table=True):
    """Derived by store.linking from the transitions: a ticket's cycle from its first move into an in-progress
    status to its resolution, with the hours spent per status category in between."""

    __tablename__ = "ticket_cycle"
    __table_args__ = (Index("ix_ticket_cycle_resolved", "resolved_at"),)

    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    started_at: datetime
    resolved_at: datetime | None = None
    cycle_hours: float | None = Field(default=None, description="started_at -> resolved_at; None while unresolved")
    new_hours: float = 0.0
    in_progress_hours: float = 0.0
    done_hours: float = 0.0
    reopens: int = Field(default=0, description="Moves out of a done status")


class TicketPullRequest(SQLModel, table=True):
    """A ticket tied to a PR: ``fixes`` (the PR names the ticket) or ``caused_by`` (a bug the PR introduced)."""

    __tablename__ = "ticket_pull_request"
    # the bug links alone, in PR order: the PR reads count bugs per PR from this range (store.reads._bugs)
    __table_args__ = (Index("ix_ticket_pull_request_kind_pr", "kind", "pr_id"),)

    id: str = Field(primary_key=True, description="<ticket id>|<pr id>|<kind>")
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    pr_id: str = Field(foreign_key="pull_request.id", index=True)
    kind: str = Field(description="fixes | caused_by")
    rule: str = Field(default="", description="Which rule of store.linking made the link")


class SurveyResponse(SQLModel, table=True):
    __tablename__ = "survey_response"

    id: str = Field(primary_key=True, description="survey:<email>:<week>")
    person_id: int = Field(foreign_key="person.id", index=True)
    week: date = Field(description="Monday of the week answered for")
    hours_saved: float
    comment: str | None = Field(default=None, sa_column=Column(Text))


class SyncState(SQLModel, table=True):
    """Incremental state of one stream; the cursor moves in the same transaction as its rows."""

    __tablename__ = "sync_state"

    id: str = Field(primary_key=True, description="<source>:<stream>:<scope>")
    source: str
    stream: str
    scope: str
    cursor: str | None = None
    last_success: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = Field(default_factory=utcnow)


class RawPayload(SQLModel, table=True):
    """The latest payload a source returned for one object, so mappings can be re-applied offline."""

    __tablename__ = "raw_payload"
    __table_args__ = (UniqueConstraint("source", "stream", "object_id"),)

    id: str = Field(primary_key=True, description="<source>:<stream>:<object id>")
    source: str = Field(index=True)
    stream: str
    scope: str
    object_id: str
    fetched_at: datetime = Field(default_factory=utcnow)
    payload: dict[str, Any] = Field(sa_column=Column(JSON))


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    viewer_email: str = Field(index=True)
    subject: str = Field(description="Email, team:<name> or org")
    view: str = Field(description="Page, loader or export that showed the data")
    detail: str | None = None


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: Any = Field(sa_column=Column(JSON))


class SignalNote(SQLModel, table=True):
    """Context a person adds to one of their waste signals (e.g. "planned migration")."""

    __tablename__ = "signal_note"

    id: str = Field(primary_key=True, description="<email>:<month>:<signal>")
    person_id: int = Field(foreign_key="person.id", index=True)
    month: str = Field(description="YYYY-MM")
    signal: str
    note: str = Field(sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)


class ReviewShare(SQLModel, table=True):
    """A person shared their monthly review with their manager."""

    __tablename__ = "review_share"

    id: str = Field(primary_key=True, description="<email>:<month>")
    person_id: int = Field(foreign_key="person.id", index=True)
    month: str
    shared_at: datetime = Field(default_factory=utcnow)


# Columns and tables that only store.linking writes (derived from the facts the sources and the demo store).
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {"pull_request": ("reverts_pr_id", "reverts_rule")}
DERIVED_TABLES = ("ticket_pull_request", "ticket_cycle")

MODELS: dict[str, type[SQLModel]] = {
    model.__tablename__: model
    for model in (
        Team,
        Person,
        Identity,
        AIUsageDaily,
        OtelPoint,
        UsageWeek,
        AgentRun,
        Seat,
        PullRequest,
        PullRequestCommit,
        PullRequestReview,
        AISignal,
        Ticket,
        TicketTransition,
        TicketPullRequest,
        TicketCycle,
        SurveyResponse,
        SyncState,
        RawPayload,
        AuditLog,
        Setting,
        SignalNote,
        ReviewShare,
    )
}

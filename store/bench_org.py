"""A synthetic organisation of any size for the benchmark, generated and written as a stream.

The organisation is never whole in memory: rows are generated person-month by person-month and written
through ``store.writes.upsert`` (the path every connector uses) in batches, all tables of a batch in one
transaction and parents before children, so foreign keys hold at every commit. Only the email -> id map
of the people is kept (one int per person).

Shape per person and month, roughly what a real engineering org produces: ~0.7 active AI days per
working day per tool (85 % of people use one or two tools, a third from the first month, the others from
a month later in the year), ~3 pull requests with one review each and
some AI-assisted signals, ~3 tickets (a fifth of them bugs) tied to the PRs, weekly survey answers from
40 % of people, agent runs for Claude Code users. Random but deterministic (seeded).
"""

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from payoff.store import db
from payoff.store.models import Person
from payoff.store.writes import upsert

TEAM_SIZE = 8
TEAMS_PER_UNIT = 8
TOOLS = ("copilot", "claude_code", "cursor")
REPOS = 40
# Children after parents: a flush writes the tables in this order.
TABLES = ("ai_usage_daily", "agent_run", "pull_request", "pull_request_review", "ai_signal", "ticket",
          "ticket_pull_request", "survey_response")


@dataclass(frozen=True)
class OrgShape:
    people: int
    months: int = 12
    last_month: date = date(2026, 10, 1)  # first day of the newest month generated
    seed: int = 8

    def month_starts(self) -> list[date]:
        starts, month = [], self.last_month
        for _ in range(self.months):
            starts.append(month)
            month = (month - timedelta(days=1)).replace(day=1)
        return starts[::-1]


@dataclass
class ImportStats:
    """Rows written per table and seconds spent inside ``upsert`` per table."""

    rows: Counter = field(default_factory=Counter)
    seconds: defaultdict = field(default_factory=lambda: defaultdict(float))
    wall: float = 0.0


def email(n: int) -> str:
    return f"e{n:05d}@bench.example"


def team_of(n: int) -> str:
    return f"team-{n // TEAM_SIZE:04d}"


def unit_of(n: int) -> str:
    return f"unit-{n // (TEAM_SIZE * TEAMS_PER_UNIT):03d}"


def teams(shape: OrgShape) -> list[dict]:
    names = sorted({team_of(n) for n in range(shape.people)})
    units = sorted({unit_of(n) for n in range(shape.people)})
    return ([{"name": unit, "parent": None} for unit in units]
            + [{"name": name, "parent": unit_of(int(name[5:]) * TEAM_SIZE)} for name in names])


def people(shape: OrgShape) -> Iterator[dict]:
    """Person 0 leads the organisation, person 1 administers it. The first of each team manages it and
    reports to the first of its unit, who reports to person 0."""
    for n in range(shape.people):
        manager = (n // TEAM_SIZE) * TEAM_SIZE
        unit_lead = (n // (TEAM_SIZE * TEAMS_PER_UNIT)) * TEAM_SIZE * TEAMS_PER_UNIT
        boss = manager if n != manager else unit_lead if n != unit_lead else 0
        role = "leader" if n == 0 else "admin" if n == 1 else "manager" if n == manager else "employee"
        yield {"email": email(n), "name": f"Engineer {n}", "team": team_of(n), "role": role,
               "manager_email": None if n == 0 else email(boss)}


def team_manager(shape: OrgShape) -> str:
    """The manager whose team page the benchmark loads: a unit lead (~64 people below) when there is one."""
    unit = TEAM_SIZE * TEAMS_PER_UNIT
    return email(unit if shape.people >= 2 * unit else TEAM_SIZE if shape.people > TEAM_SIZE else 0)


def tools_of(n: int, seed: int) -> tuple[str, ...]:
    rng = random.Random(seed * 1_000_003 + n)
    roll = rng.random()
    if roll < 0.15:
        return ()
    first = rng.choice(TOOLS)
    return (first,) if roll < 0.65 else (first, rng.choice([t for t in TOOLS if t != first]))


def adoption_index(n: int, seed: int) -> int:
    """The month (0 = the first generated) from which person ``n`` uses their tools: a third from the start,
    the rest spread over the year, so time saved has weeks before adoption to compare with."""
    rng = random.Random(seed * 7_000_003 + n)
    return 0 if rng.random() < 0.33 else rng.randrange(1, 9)


def identities(n: int, person_id: int, tools: tuple[str, ...]) -> Iterator[dict]:
    yield {"id": f"github:user{n}", "source": "github", "external_id": f"user{n}", "label": email(n),
           "person_id": person_id}
    for tool in tools:
        yield {"id": f"{tool}:{email(n)}", "source": tool, "external_id": email(n), "label": email(n),
               "person_id": person_id}


def seats(n: int, person_id: int, tools: tuple[str, ...], first_day: date) -> Iterator[dict]:
    for tool in tools or (("copilot",) if n % 20 == 0 else ()):  # some seats are paid for and unused
        yield {"id": f"{tool}:seat:bench:{email(n)}", "tool": tool, "person_id": person_id,
               "identity_id": f"{tool}:{email(n)}", "monthly_cost_usd": 19.0 if tool == "copilot" else 40.0,
               "assigned_at": datetime.combine(first_day, datetime.min.time(), UTC)}


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(minutes=rng.randrange(8 * 60, 19 * 60))


def person_month(n: int, person_id: int, tools: tuple[str, ...], month: date, index: int, rng: random.Random,
                 shape: OrgShape) -> Iterator[tuple[str, dict]]:
    """Every row one person produces in one month, as (table, row)."""
    days = [month + timedelta(days=d) for d in range(31) if (month + timedelta(days=d)).month == month.month]
    workdays = [d for d in days if d.weekday() < 5]
    me = email(n)
    for tool in tools:
        for day in workdays:
            if rng.random() < 0.7:
                tokens = rng.randrange(20_000, 400_000)
                yield "ai_usage_daily", {
                    "id": f"{tool}:{me}:{day}:{tool}", "person_id": person_id, "identity_id": f"{tool}:{me}",
                    "day": day, "tool": tool, "source": tool, "input_tokens": tokens,
                    "output_tokens": tokens // 8, "cost_usd": round(tokens * 4e-6, 4),
                    "requests": rng.randrange(5, 120), "sessions": rng.randrange(1, 6),
                    "lines_suggested": rng.randrange(0, 400), "lines_accepted": rng.randrange(0, 150),
                    "lines_removed": rng.randrange(0, 60), "commits": rng.randrange(0, 4),
                    "pull_requests": rng.randrange(0, 2)}
        if tool == "claude_code":
            for run in range(rng.randrange(2, 8)):
                yield "agent_run", {
                    "id": f"claude_code:run:{me}:{month}:{run}", "person_id": person_id,
                    "identity_id": f"{tool}:{me}", "agent": "claude_code",
                    "started_at": _at(rng.choice(workdays), rng), "task_fingerprint": f"task-{rng.randrange(40)}",
                    "input_tokens": rng.randrange(10_000, 200_000), "output_tokens": rng.randrange(1_000, 20_000),
                    "cost_usd": round(rng.uniform(0.05, 3.0), 2), "source": "claude_code"}
    team_start = (n // TEAM_SIZE) * TEAM_SIZE
    for k in range(rng.randrange(1, 6)):
        repo = f"acme/repo{rng.randrange(REPOS):02d}"
        number = (n * shape.months + index) * 10 + k
        pr_id = f"github:pr:{repo}:{number}"
        opened = _at(rng.choice(workdays), rng)
        merged = opened + timedelta(hours=rng.uniform(2, 96)) if rng.random() < 0.9 else None
        reviewed = opened + timedelta(hours=rng.uniform(0.5, 30))
        yield "pull_request", {
            "id": pr_id, "repo": repo, "number": number, "title": f"Change {number}", "person_id": person_id,
            "identity_id": f"github:user{n}", "state": "merged" if merged else "open",
            "original_state": "closed" if merged else "open", "created_at": opened,
            "first_commit_at": opened - timedelta(hours=rng.uniform(1, 48)), "first_review_at": reviewed,
            "merged_at": merged, "closed_at": merged, "updated_at": merged or opened,
            "additions": rng.randrange(1, 800), "deletions": rng.randrange(0, 300),
            "changed_files": rng.randrange(1, 30), "commits": rng.randrange(1, 12),
            "head_ref": f"{tools[0].split('_')[0]}/change-{number}" if tools else f"feature/{number}"}
        reviewer = team_start + (n - team_start + 1 + rng.randrange(TEAM_SIZE - 1)) % TEAM_SIZE
        yield "pull_request_review", {
            "id": f"github:review:{repo}:{number}", "pr_id": pr_id, "identity_id": f"github:user{reviewer}",
            "person_id": None, "state": "APPROVED", "submitted_at": reviewed}
        if tools and rng.random() < 0.4:
            yield "ai_signal", {"id": f"{pr_id}:trailer:{tools[0]}", "pr_id": pr_id, "kind": "trailer",
                                "tool": tools[0], "confidence": "high", "evidence": "Co-authored-by trailer"}
        bug = rng.random() < 0.2
        ticket_id = f"jira:BEN-{number}"
        resolved = merged + timedelta(hours=rng.uniform(1, 24)) if merged else None
        yield "ticket", {
            "id": ticket_id, "key": f"BEN-{number}", "project": "BEN", "summary": f"Ticket {number}",
            "type": "bug" if bug else "story", "original_type": "Bug" if bug else "Story",
            "status": "Done" if resolved else "In Progress", "status_category": "done" if resolved else "indeterminate",
            "created_at": opened - timedelta(days=rng.uniform(0, 10)), "resolved_at": resolved,
            "person_id": person_id, "identity_id": f"jira:{me}", "story_points": float(rng.choice((1, 2, 3, 5, 8)))}
        yield "ticket_pull_request", {"id": f"{ticket_id}|{pr_id}|fixes", "ticket_id": ticket_id, "pr_id": pr_id,
                                      "kind": "fixes"}
    if n % 5 < 2:  # 40 % answer the weekly survey
        for monday in (d for d in days if d.weekday() == 0):
            yield "survey_response", {"id": f"survey:{me}:{monday}", "person_id": person_id, "week": monday,
                                      "hours_saved": round(rng.uniform(0, 6), 1)}


def generate(shape: OrgShape, person_ids: dict[str, int]) -> Iterator[tuple[str, dict]]:
    """All activity rows, month by month, person by person."""
    for index, month in enumerate(shape.month_starts()):
        for n in range(shape.people):
            rng = random.Random(f"{shape.seed}:{n}:{month}")
            tools = tools_of(n, shape.seed) if index >= adoption_index(n, shape.seed) else ()
            yield from person_month(n, person_ids[email(n)], tools, month, index, rng, shape)


def _timed(stats: ImportStats, session, table: str, rows: list[dict], **options) -> None:
    started = time.perf_counter()
    stats.rows[table] += upsert(session, table, rows, **options)
    stats.seconds[table] += time.perf_counter() - started


def write(url: str, shape: OrgShape, *, batch: int = 20_000,
          on_batch: Callable[[ImportStats], None] = lambda stats: None) -> ImportStats:
    """Generate the organisation into the (migrated) database at ``url``; returns what was written."""
    stats = ImportStats()
    started = time.perf_counter()
    first_day = shape.month_starts()[0]
    with db.session(url) as s:
        _timed(stats, s, "team", teams(shape))
        _timed(stats, s, "person", people(shape), on=["email"])
    with db.session(url) as s:
        person_ids = dict(s.exec(select(Person.email, Person.id)).all())
    with db.session(url) as s:
        tools = {n: tools_of(n, shape.seed) for n in range(shape.people)}
        _timed(stats, s, "identity", (row for n in range(shape.people)
                                      for row in identities(n, person_ids[email(n)], tools[n])))
        _timed(stats, s, "identity", ({"id": f"jira:{email(n)}", "source": "jira", "external_id": email(n),
                                       "label": email(n), "person_id": person_ids[email(n)]}
                                      for n in range(shape.people)))
        _timed(stats, s, "seat", (row for n in range(shape.people)
                                  for row in seats(n, person_ids[email(n)], tools[n], first_day)))
    buffers: dict[str, list[dict]] = {table: [] for table in TABLES}
    pending = 0

    def flush() -> None:
        with db.session(url) as s:
            for table in TABLES:
                if buffers[table]:
                    _timed(stats, s, table, buffers[table])
                    buffers[table] = []
        stats.wall = time.perf_counter() - started
        on_batch(stats)

    for table, row in generate(shape, person_ids):
        buffers[table].append(row)
        pending += 1
        if pending >= batch:
            flush()
            pending = 0
    flush()
    return stats

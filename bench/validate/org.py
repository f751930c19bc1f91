"""An organisation with known truth: who adopted AI when, how much it really changed their output, and who
games the numbers. Rows come out shaped exactly as the connectors write them (identities, daily usage,
agent runs, pull requests, tickets and their links), so the metrics read them through the normal paths.

The generating process, per person and week (log scale of the rate of genuine work items):

    log rate = person level (persistent; adopters drawn from the more productive)
             + organisation trend + seasonality (a summer lull, a December freeze) + the week's org-wide shock
             + the person's own slow drift (AR(1), persistent noise)
             + [steeper scenario] an extra trend for people who will adopt
             + log(1 + g_i) from the adoption week on (g_i: the person's true effect)

Each work item is one merged PR (lines drawn per item) fixing a ticket (pointed or not); some PRs cause a
bug found 1-10 weeks later, fixed by the author or a teammate. People join and leave during the window.
Gaming styles and legitimate heavy users are added on top of the genuine work of some adopters.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

FIRST_WEEK = date(2025, 10, 6)  # a Monday; 13 months of weeks up to the end of October 2026
WEEKS = 56
MONTH = "2026-10"  # the month every scenario is read for
MONTH_START, MONTH_END = date(2026, 10, 1), date(2026, 11, 1)
TEAM_SIZE = 8
HOURS = 40.0  # the organisation's delivery hours a week (the default setting)

GAMERS = ("tiny_prs", "merge_revert", "self_bug")  # pad outcomes (tiny_prs also burns tokens)
TOKENMAXXERS = ("steady", "varied_runs", "bursts")  # burn tokens without extra output
LEGITIMATE = ("migration", "automation")  # heavy use tied to merged work
STYLES = GAMERS + TOKENMAXXERS + LEGITIMATE


@dataclass(frozen=True)
class Scenario:
    name: str
    effect: float = 0.25  # mean true gain in output of an adopter (Cui et al. 2024: +26 %)
    effect_spread: float = 0.4  # log-normal spread of the gain between people
    leavers: float = 0.1  # share of people who leave during the window
    hires: float = 0.1  # share who join during it
    steeper: float = 0.0  # extra log-rate per year for people who will adopt (0: parallel trends)
    selection: float = 0.8  # how strongly the more productive adopt (logit slope on the person level)
    gaming: bool = False  # add gamers, tokenmaxxers and legitimate heavy users
    people: int = 64
    note: str = ""


@dataclass
class Person:
    n: int
    team: str
    level: float  # persistent log-rate
    first: int  # first week of tenure
    last: int  # last week of tenure (inclusive)
    adopt: int | None  # adoption week, None for non-adopters
    gain: float  # true effect g (0 for non-adopters)
    style: str = "normal"  # normal | genuine_heavy | one of STYLES
    bug_rate: float = 0.08
    cycle_scale: float = 1.0
    drift: np.ndarray = field(default_factory=lambda: np.zeros(WEEKS))

    @property
    def email(self) -> str:
        return f"p{self.n:03d}@val.example"

    def active(self, week: int) -> bool:
        return self.first <= week <= self.last


def week_start(week: int) -> date:
    return FIRST_WEEK + timedelta(weeks=int(week))


def week_of(day: date) -> int:
    return (day - FIRST_WEEK).days // 7


def month_weeks() -> range:
    """The weeks starting in the month read (a week belongs to the month it starts in)."""
    return range(week_of(MONTH_START + timedelta(days=6)), week_of(MONTH_END - timedelta(days=1)) + 1)


def people(scenario: Scenario, rng: np.random.Generator) -> list[Person]:
    n = scenario.people
    level = rng.normal(math.log(3.0), 0.35, n)  # about 3 work items a week, persistent differences
    z = (level - level.mean()) / level.std()
    adopts = rng.random(n) < 1 / (1 + np.exp(-(0.6 + scenario.selection * z)))
    out = []
    for i in range(n):
        first, last = 0, WEEKS - 1
        roll = rng.random()
        if roll < scenario.hires:
            first = int(rng.integers(4, WEEKS - 12))
        elif roll < scenario.hires + scenario.leavers:
            last = int(rng.integers(12, WEEKS - 4))
        adopt = None
        if adopts[i] and last - first >= 16:
            adopt = int(rng.integers(max(first + 6, 8), min(last - 5, WEEKS - 6)))
        gain = scenario.effect * math.exp(rng.normal(0, scenario.effect_spread) - scenario.effect_spread**2 / 2)
        drift = np.zeros(WEEKS)
        for w in range(1, WEEKS):
            drift[w] = 0.85 * drift[w - 1] + rng.normal(0, 0.08)
        out.append(
            Person(
                i,
                f"team-{i // TEAM_SIZE:02d}",
                float(level[i]),
                first,
                last,
                adopt,
                gain if adopt is not None else 0.0,
                bug_rate=float(rng.beta(2, 22)),
                cycle_scale=float(math.exp(rng.normal(0, 0.4))),
                drift=drift,
            )
        )
    if scenario.gaming:
        _assign_styles(out, rng)
    return out


def _assign_styles(persons: list[Person], rng: np.random.Generator) -> None:
    """Two people of each style and four genuine heavy adopters, among people who adopt early enough to
    have three months of AI use before the month read and stay to its end."""
    eligible = [p for p in persons if p.adopt is not None and p.adopt < 36 and p.last == WEEKS - 1]
    rng.shuffle(eligible)
    styles = [s for s in STYLES for _ in range(2)] + ["genuine_heavy"] * 4
    for person, style in zip(eligible, styles, strict=False):
        person.style = style
        if style == "genuine_heavy":
            person.gain = 0.5  # heavy genuine users gain most (Heilman et al. 2026: +40 % PRs in heavy weeks)
        elif style in GAMERS + TOKENMAXXERS:
            person.gain = 0.0  # their use buys nothing real: whatever more they show is padding


def shocks(rng: np.random.Generator) -> np.ndarray:
    """Organisation-wide log-rate per week: trend, season, December freeze and the week's shock."""
    w = np.arange(WEEKS)
    days = np.array([week_start(x) for x in w])
    season = -0.12 * np.array([math.cos(2 * math.pi * (d.timetuple().tm_yday - 15) / 365) for d in days])
    summer = np.array([-0.25 if d.month == 8 else 0.0 for d in days])
    freeze = np.array([-0.8 if (d.month == 12 and d.day >= 18) or (d.month == 1 and d.day < 3) else 0.0 for d in days])
    return 0.10 * w / 52 + season + summer + freeze + rng.normal(0, 0.1, WEEKS)


@dataclass
class Truth:
    scenario: Scenario
    persons: list[Person]

    def hours(self, gain: float) -> float:
        """Hours a week the true gain frees: the same output in less time (delivery hours x g / (1 + g))."""
        return HOURS * gain / (1 + gain)


class Rows:
    """Rows per table, shaped as the connectors write them."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {
            t: []
            for t in (
                "identity",
                "ai_usage_daily",
                "agent_run",
                "pull_request",
                "ai_signal",
                "ticket",
                "ticket_pull_request",
                "survey_response",
            )
        }
        self.pr_number = 0
        self.ticket_number = 0

    def add(self, table: str, row: dict) -> None:
        self.tables[table].append(row)


def _moment(day: date, rng: random.Random, hour_from: int = 9, hour_to: int = 18) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(
        minutes=rng.randrange(hour_from * 60, hour_to * 60)
    )


def _workday(week: int, rng: random.Random) -> date:
    return week_start(week) + timedelta(days=rng.randrange(5))


def generate(scenario: Scenario, seed: int) -> tuple[Truth, list[dict], dict[str, list[dict]]]:
    """The truth, the people (import shape) and the activity rows of one organisation."""
    nrng = np.random.default_rng(seed)
    rng = random.Random(seed)
    persons = people(scenario, nrng)
    org = shocks(nrng)
    rows = Rows()
    for p in persons:
        rows.add("identity", {"id": f"github:u{p.n}", "source": "github", "external_id": f"u{p.n}", "label": p.email})
        rows.add("identity", {"id": f"jira:{p.email}", "source": "jira", "external_id": p.email, "label": p.email})
        if p.adopt is not None:
            rows.add(
                "identity",
                {"id": f"claude_code:{p.email}", "source": "claude_code", "external_id": p.email, "label": p.email},
            )
    for p in persons:
        _work(p, persons, org, scenario, rows, rng)
        if p.adopt is not None:
            _usage(p, rows, rng)
    people_rows = [{"email": p.email, "name": f"Person {p.n}", "team": p.team, "role": "employee"} for p in persons]
    return Truth(scenario, persons), people_rows, rows.tables


def _pr(
    rows: Rows,
    p: Person,
    merged: datetime,
    lines: int,
    rng: random.Random,
    *,
    ai: bool,
    reverts: str | None = None,
    hours: float | None = None,
) -> str:
    """A merged PR; ``hours`` from opening to merge (default: the person's usual pace)."""
    rows.pr_number += 1
    number = rows.pr_number
    pr_id = f"github:pr:val/app:{number}"
    opened = merged - timedelta(hours=hours or rng.lognormvariate(math.log(20 * p.cycle_scale), 0.6))
    additions = max(1, int(lines * 0.7))
    rows.add(
        "pull_request",
        {
            "id": pr_id,
            "repo": "val/app",
            "number": number,
            "title": f"Change {number}",
            "identity_id": f"github:u{p.n}",
            "state": "merged",
            "original_state": "closed",
            "created_at": opened,
            "first_commit_at": opened - timedelta(hours=rng.uniform(1, 24)),
            "first_review_at": opened + (merged - opened) * rng.uniform(0.2, 0.7),
            "merged_at": merged,
            "closed_at": merged,
            "updated_at": merged,
            "additions": additions,
            "deletions": max(0, lines - additions),
            "changed_files": max(1, lines // 40),
            "commits": 1 + lines // 100,
            "reverts_pr_id": reverts,
        },
    )
    if ai:
        rows.add(
            "ai_signal",
            {
                "id": f"{pr_id}:trailer:claude",
                "pr_id": pr_id,
                "kind": "trailer",
                "tool": "claude",
                "confidence": "high",
                "evidence": "Co-Authored-By: Claude",
            },
        )
    return pr_id


def _ticket(
    rows: Rows,
    p: Person,
    resolved: datetime | None,
    created: datetime,
    *,
    kind: str = "story",
    points: float | None = None,
) -> str:
    rows.ticket_number += 1
    key = f"VAL-{rows.ticket_number}"
    rows.add(
        "ticket",
        {
            "id": f"jira:{key}",
            "key": key,
            "project": "VAL",
            "summary": f"{kind} {key}",
            "type": kind,
            "original_type": kind.title(),
            "status": "Done" if resolved else "To Do",
            "status_category": "done" if resolved else "new",
            "created_at": created,
            "resolved_at": resolved,
            "identity_id": f"jira:{p.email}",
            "story_points": points,
        },
    )
    return f"jira:{key}"


def _link(rows: Rows, ticket_id: str, pr_id: str, kind: str) -> None:
    rows.add(
        "ticket_pull_request",
        {"id": f"{ticket_id}|{pr_id}|{kind}", "ticket_id": ticket_id, "pr_id": pr_id, "kind": kind},
    )


def _end() -> datetime:
    return datetime.combine(MONTH_END, datetime.min.time(), UTC)


def _work(
    p: Person, persons: list[Person], org: np.ndarray, scenario: Scenario, rows: Rows, rng: random.Random
) -> None:
    """The person's genuine work, the bugs it causes, and any padding their style adds."""
    nrng = np.random.default_rng(rng.randrange(2**32))
    teammates = [q for q in persons if q.team == p.team and q is not p] or [p]
    for week in range(p.first, p.last + 1):
        adopted = p.adopt is not None and week >= p.adopt
        log_rate = p.level + org[week] + p.drift[week]
        if p.adopt is not None:
            log_rate += scenario.steeper * (week - p.adopt) / 52
        if adopted:
            log_rate += math.log1p(p.gain)
        for _ in range(int(nrng.poisson(math.exp(log_rate)))):
            merged = _moment(_workday(week, rng), rng)
            if merged >= _end():
                continue
            lines = int(rng.lognormvariate(math.log(120), 0.8)) + 5
            if p.style == "migration" and week in month_weeks():
                lines *= 3
            pr_id = _pr(rows, p, merged, lines, rng, ai=adopted and rng.random() < 0.5)
            roll = rng.random()
            if roll < 0.6:
                ticket = _ticket(
                    rows,
                    p,
                    merged + timedelta(hours=1),
                    merged - timedelta(days=rng.uniform(1, 15)),
                    points=float(rng.choice((1, 2, 3, 5))),
                )
                _link(rows, ticket, pr_id, "fixes")
            elif roll < 0.8:
                ticket = _ticket(rows, p, merged + timedelta(hours=1), merged - timedelta(days=rng.uniform(1, 15)))
                _link(rows, ticket, pr_id, "fixes")
            bug_rate = 0.5 if p.style == "self_bug" and adopted else p.bug_rate
            if rng.random() < bug_rate:
                found = merged + timedelta(weeks=rng.uniform(1, 2) if p.style == "self_bug" else rng.uniform(1, 10))
                fixer = p if p.style == "self_bug" or rng.random() < 0.5 else rng.choice(teammates)
                _bug(rows, pr_id, found, fixer, rng)
        if adopted and week_start(week) < MONTH_END:
            _padding(p, week, rows, rng)


def _bug(rows: Rows, pr_id: str, found: datetime, fixer: Person, rng: random.Random) -> None:
    """A bug caused by ``pr_id``, found at ``found`` and fixed three days later by ``fixer`` with a PR (both
    only if that happens before the month read ends: bugs found later are not known yet)."""
    if found >= _end() or not fixer.active(week_of(found.date())):
        return
    fixed = found + timedelta(days=3)
    resolved = fixed if fixed < _end() else None
    bug = _ticket(rows, fixer, resolved, found, kind="bug")
    _link(rows, bug, pr_id, "caused_by")
    if resolved is not None:
        adopted = fixer.adopt is not None and week_of(fixed.date()) >= fixer.adopt
        fix = _pr(
            rows, fixer, fixed, int(rng.lognormvariate(math.log(120), 0.8)) + 5, rng, ai=adopted and rng.random() < 0.5
        )
        _link(rows, bug, fix, "fixes")


def _padding(p: Person, week: int, rows: Rows, rng: random.Random) -> None:
    """What a gaming style adds to a week once the person has adopted."""
    if p.style == "tiny_prs":  # about 25 tiny PRs and 15 trivial tickets a month
        for _ in range(6):
            _pr(
                rows, p, _moment(_workday(week, rng), rng), rng.randrange(1, 6), rng, ai=True, hours=rng.uniform(0.2, 1)
            )  # rubber-stamped
        for _ in range(rng.choice((3, 4))):
            created = _moment(_workday(week, rng), rng)
            _ticket(rows, p, created + timedelta(minutes=20), created, kind="task")
    elif p.style == "merge_revert":  # one merge-and-revert pair a week
        merged = _moment(_workday(week, rng), rng)
        original = _pr(rows, p, merged, 80, rng, ai=True)
        _pr(rows, p, merged + timedelta(hours=20), 80, rng, ai=True, reverts=original)
    elif p.style == "automation":  # a dependency bot run every workday, each merging a small PR
        for day in range(5):
            merged = _moment(week_start(week) + timedelta(days=day), rng, 6, 7)
            if merged < _end():
                _pr(rows, p, merged, rng.randrange(4, 20), rng, ai=True)


def _usage(p: Person, rows: Rows, rng: random.Random) -> None:
    """Daily AI usage and agent runs from adoption on."""
    burst_phase = rng.randrange(3)
    for week in range(p.adopt, p.last + 1):
        for day_index in range(7):
            day = week_start(week) + timedelta(days=day_index)
            if day >= MONTH_END:
                return
            workday = day_index < 5
            heavy = p.style in ("genuine_heavy", "steady", "tiny_prs", "automation")
            if not (workday and (heavy or rng.random() < 0.7)):
                continue
            tokens = rng.lognormvariate(math.log(150_000), 0.5)
            tokens *= {"steady": 10, "tiny_prs": 10, "varied_runs": 10, "genuine_heavy": 2, "automation": 3}.get(
                p.style, 1
            )
            if p.style == "bursts" and week % 3 == burst_phase:
                tokens *= 30
            if p.style == "migration" and day >= MONTH_START:
                tokens *= 5
            tokens = int(tokens)
            rows.add(
                "ai_usage_daily",
                {
                    "id": f"claude_code:{p.email}:{day}:claude_code",
                    "identity_id": f"claude_code:{p.email}",
                    "day": day,
                    "tool": "claude_code",
                    "source": "claude_code",
                    "input_tokens": tokens,
                    "output_tokens": tokens // 10,
                    "cost_usd": round(tokens * 3e-6, 4),
                    "requests": 20,
                    "sessions": 2,
                },
            )
            _runs(p, day, tokens, rows, rng)


def _runs(p: Person, day: date, tokens: int, rows: Rows, rng: random.Random) -> None:
    """Agent runs of the day: a couple on varied tasks; many distinct ones for varied-run tokenmaxxers; the
    same task every day for automation and for a migration month."""
    if p.style == "varied_runs":
        fingerprints = [f"t{rng.randrange(10**6)}" for _ in range(8)]
    elif p.style == "automation":
        fingerprints = ["deps-update"]
    elif p.style == "migration" and day >= MONTH_START:
        fingerprints = ["migrate-orm"] * 3
    else:
        fingerprints = [f"t{rng.randrange(10**6)}" for _ in range(rng.randrange(0, 2))]
    for k, fingerprint in enumerate(fingerprints):
        rows.add(
            "agent_run",
            {
                "id": f"claude_code:run:{p.email}:{day}:{k}",
                "identity_id": f"claude_code:{p.email}",
                "agent": "claude_code",
                "started_at": _moment(day, rng),
                "task_fingerprint": fingerprint,
                "input_tokens": tokens // max(1, len(fingerprints)),
                "output_tokens": 0,
                "cost_usd": 0.0,
                "source": "claude_code",
            },
        )

"""The demo's AI side: identities per tool, Copilot seats, daily usage, agent runs and survey answers.

Tokenmaxxers' tokens double every few weeks while their accepted lines stay flat, and their agent
re-runs the same few tasks all day; non-users have no usage (some hold an unused Copilot seat);
survey answers follow each person's real gain through a personal bias, and tokenmaxxers over-report.
"""

import hashlib
import random
from datetime import date, timedelta

from payoff.store.demo.org import ORG, Member
from payoff.store.demo.period import Period, at, monday
from payoff.store.demo.work import GAIN, effect, poisson

AGENT = "autodev"  # the demo's in-house agent platform
AGENT_USERS = ("adopter", "quality_regressor", "tokenmaxxer")
SOURCE = "demo"
# Tool -> (median input tokens on an active day, USD per input token, USD per output token)
TOOL_BASE = {
    "copilot": (60_000, 0.0, 0.0),
    "claude_code": (900_000, 3e-6, 15e-6),
    "cursor": (500_000, 1.25e-6, 10e-6),
    AGENT: (150_000, 3e-6, 15e-6),
}
SEAT_USD = 19.0  # Copilot Business, per month; Copilot's daily cost is this seat, not tokens
INTENSITY = {"casual": 0.35, "tokenmaxxer": 2.0}  # tokens on an active day, relative to an adopter's
ACTIVE = {"adopter": 0.85, "quality_regressor": 0.85, "tokenmaxxer": 0.97, "casual": 0.35}
SURVEY_ANSWERS = {"adopter": 0.6, "quality_regressor": 0.6, "tokenmaxxer": 0.7, "casual": 0.4, "non_user": 0.15}
COMMENTS = {
    "adopter": ("The agent wrote the test scaffolding", "Refactoring went much faster", "Review comments were fewer"),
    "quality_regressor": ("Shipped the feature in half the time", "Generated most of the migration"),
    "tokenmaxxer": ("Let the agent iterate overnight", "Ran lots of agent sessions this week"),
    "casual": ("Used it for a regex", "Mostly autocomplete"),
    "non_user": ("Have not tried it yet",),
}


def identity_id(member: Member, tool: str) -> str:
    """The id each source knows the person by: Copilot reports GitHub logins, the others emails."""
    return f"github:{member.login}" if tool == "copilot" else f"{tool}:{member.email}"


def identity_rows(member: Member, period: Period) -> list[dict]:
    first_seen = at(period.first, 0)
    rows = [
        {
            "id": f"github:{member.login}",
            "source": "github",
            "external_id": member.login,
            "label": member.name,
            "person_id": member.person_id,
            "first_seen": first_seen,
        },
        {
            "id": f"jira:{member.jira_id}",
            "source": "jira",
            "external_id": member.jira_id,
            "label": member.email,
            "person_id": member.person_id,
            "first_seen": first_seen,
        },
    ]
    agent = (AGENT,) if member.persona in AGENT_USERS else ()
    for tool in (*member.tools, *agent):
        if tool != "copilot":
            rows.append(
                {
                    "id": identity_id(member, tool),
                    "source": tool,
                    "external_id": member.email,
                    "label": member.email,
                    "person_id": member.person_id,
                    "first_seen": first_seen,
                }
            )
    return rows


def _growth(member: Member, day: date) -> float:
    """Tokenmaxxers double their tokens every three weeks (up to 64x); others stay level."""
    if member.persona != "tokenmaxxer" or member.adopted is None:
        return 1.0
    return 2 ** min((day - member.adopted).days / 21, 6)


def _fingerprint(*parts: object) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()[:16]


def _priced(tool: str, tokens_in: int, tokens_out: int) -> float:
    _, per_in, per_out = TOOL_BASE[tool]
    return round(tokens_in * per_in + tokens_out * per_out, 4)


def usage_rows(member: Member, period: Period, seed: int) -> dict[str, list[dict]]:
    """ai_usage_daily and agent_run rows for every day the person used AI."""
    rows: dict[str, list[dict]] = {"ai_usage_daily": [], "agent_run": []}
    if member.adopted is None:
        return rows
    rng = random.Random(f"usage:{seed}:{member.email}")
    scale = rng.lognormvariate(0, 0.4) * INTENSITY.get(member.persona, 1.0)
    for day in period.days:
        if day < member.adopted or day in member.away:
            continue
        working = period.is_workday(day)
        chance = ACTIVE[member.persona] if working else (0.5 if member.persona == "tokenmaxxer" else 0.03)
        if rng.random() >= chance:
            continue
        ramp = 0.4 + 0.6 * effect(member, at(day, 12))
        growth = _growth(member, day)
        for position, tool in enumerate(member.tools):
            if position and rng.random() < 0.6:
                continue
            tokens_in = int(TOOL_BASE[tool][0] * scale * ramp * growth * rng.lognormvariate(0, 0.35))
            tokens_out = int(tokens_in * rng.uniform(0.04, 0.1))
            requests = max(1, tokens_in // 12_000)
            suggested = int(rng.uniform(80, 300) * ramp * scale)
            rows["ai_usage_daily"].append(
                _daily(
                    member,
                    day,
                    tool,
                    tokens_in,
                    tokens_out,
                    requests=requests,
                    sessions=1 + requests // 25,
                    lines_suggested=suggested,
                    lines_accepted=int(suggested * rng.uniform(0.2, 0.45)),
                )
            )
        runs = _agent_runs(rng, member, day, growth)
        if runs:
            rows["agent_run"] += runs
            rows["ai_usage_daily"].append(
                _daily(
                    member,
                    day,
                    AGENT,
                    sum(r["input_tokens"] for r in runs),
                    sum(r["output_tokens"] for r in runs),
                    requests=len(runs),
                    sessions=len(runs),
                    cost=round(sum(r["cost_usd"] for r in runs), 4),
                )
            )
    return rows


def _daily(
    member: Member, day: date, tool: str, tokens_in: int, tokens_out: int, *, cost: float | None = None, **counts: int
) -> dict:
    who = identity_id(member, tool)
    return {
        "id": f"{SOURCE}:{who}:{day}:{tool}",
        "person_id": member.person_id,
        "identity_id": who,
        "day": day,
        "tool": tool,
        "source": SOURCE,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "cost_usd": _priced(tool, tokens_in, tokens_out) if cost is None else cost,
        **counts,
    }


def _agent_runs(rng: random.Random, member: Member, day: date, growth: float) -> list[dict]:
    """Adopters run the agent on a new task now and then; tokenmaxxers re-run the same few tasks all day."""
    if member.persona == "tokenmaxxer":
        count = min(40, int(3 * growth * rng.uniform(0.7, 1.3)))
        week = monday(day)
        tasks = [_fingerprint(member.email, week, rng.randrange(3)) for _ in range(count)]
    elif member.persona in AGENT_USERS:
        count = poisson(rng, 0.8)
        tasks = [_fingerprint(member.email, day, index) for index in range(count)]
    else:
        return []
    runs = []
    for index, task in enumerate(tasks):
        started = at(day, rng.uniform(0, 24) if member.persona == "tokenmaxxer" else rng.uniform(8, 19))
        tokens_in = int(rng.lognormvariate(11.7, 0.5))  # median ≈ 120k
        tokens_out = int(tokens_in * rng.uniform(0.04, 0.08))
        who = identity_id(member, AGENT)
        runs.append(
            {
                "id": f"{SOURCE}:{AGENT}:{member.email}:{day}:{index}",
                "person_id": member.person_id,
                "identity_id": who,
                "agent": AGENT,
                "started_at": started,
                "task_fingerprint": task,
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
                "cost_usd": _priced(AGENT, tokens_in, tokens_out),
                "source": SOURCE,
            }
        )
    return runs


def seat_rows(member: Member, usage: list[dict], seed: int) -> list[dict]:
    """A Copilot seat for Copilot users, and an unused one for some who never touch it."""
    rng = random.Random(f"seat:{seed}:{member.email}")
    copilot_days = [row["day"] for row in usage if row["tool"] == "copilot"]
    unused = not copilot_days and member.persona in ("non_user", "casual") and rng.random() < 0.5
    if not (copilot_days or unused) or member.access is None:
        return []
    last = max(copilot_days) if copilot_days else None
    return [
        {
            "id": f"copilot:seat:{ORG}:{member.login}",
            "tool": "copilot",
            "person_id": member.person_id,
            "identity_id": f"github:{member.login}",
            "assigned_at": at(member.access, 10),
            "last_activity_at": at(last, 17) if last else None,
            "last_activity_editor": "vscode/1.104.0/copilot/1.372.0" if last else None,
            "pending_cancellation_date": None,
            "plan_type": "business",
            "monthly_cost_usd": SEAT_USD,
        }
    ]


def survey_rows(member: Member, period: Period, seed: int) -> list[dict]:
    """Weekly answers from the rollout on. People sense their real gain (extra output valued at a 40-hour
    week) through a personal bias of 0.4-1.2, so answers partly agree with the telemetry; tokenmaxxers
    report about six hours whatever happened."""
    if member.access is None:
        return []
    rng = random.Random(f"survey:{seed}:{member.email}")
    bias = rng.uniform(0.4, 1.2)
    rows = []
    week = monday(member.access) + timedelta(days=7)
    while week <= period.last:
        if rng.random() < SURVEY_ANSWERS[member.persona]:
            felt = (
                6.0
                if member.persona == "tokenmaxxer"
                else ((GAIN.get(member.persona, 1.0) - 1) * 40 * effect(member, at(week, 12)) * bias)
            )
            hours = max(0.0, round((felt + rng.gauss(0, 1.2)) * 2) / 2) if felt else 0.0
            comment = rng.choice(COMMENTS[member.persona]) if rng.random() < 0.3 else None
            rows.append(
                {
                    "id": f"survey:{member.email}:{week}",
                    "person_id": member.person_id,
                    "week": week,
                    "hours_saved": hours,
                    "comment": comment,
                }
            )
        week += timedelta(days=7)
    return rows

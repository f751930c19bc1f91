"""The demo's outcome data: pull requests with reviews and AI signals, and Jira-like tickets.

Each person's work comes from their own random stream (seeded by seed and email), so the work of
one person does not change when another is added. Personas change the work after adoption:
adopters ship more and faster, quality regressors ship AI-assisted PRs that cause bugs,
tokenmaxxers and non-users ship as before.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import exp, log

from payoff.store.demo.org import Member
from payoff.store.demo.period import Period, at

# Persona -> effect once fully adopted: PR throughput factor, cycle-time factor, share of AI-assisted PRs.
GAIN = {"adopter": 1.4, "quality_regressor": 1.2, "casual": 1.05}
SPEED = {"adopter": 0.5, "quality_regressor": 0.75, "casual": 0.95}
AI_SHARE = {"adopter": 0.75, "quality_regressor": 0.7, "tokenmaxxer": 0.3, "casual": 0.25}
BUG_RATE = 0.04
REVERT_RATE = 0.2  # of the PRs that cause a bug
REGRESSOR_BUG_RATE = 0.3  # of a quality regressor's AI-assisted PRs
RAMP_DAYS = 21

SIGNAL_TOOL = {"copilot": "copilot", "claude_code": "claude", "cursor": "cursor"}
TRAILER = {"copilot": "Co-authored-by: Copilot <copilot@github.com>",
           "claude": "Co-Authored-By: Claude <noreply@anthropic.com>",
           "cursor": "Made-with: Cursor"}
BRANCH_PREFIX = {"copilot": "copilot/", "cursor": "cursor/"}
VERBS = ("Add", "Fix", "Refactor", "Speed up", "Remove", "Validate", "Log", "Cache", "Migrate", "Test")
THINGS = ("retry on webhook delivery", "pagination in the list endpoint", "the session expiry check",
          "currency rounding", "search ranking weights", "the onboarding email", "feature flag cleanup",
          "rate limiter settings", "the CSV export", "stale cache entries", "null handling in the parser",
          "the audit trail", "slow dashboard query", "flaky integration test", "the invoice PDF layout",
          "password reset flow", "mobile deep links", "dependency upgrades", "error messages",
          "timezone handling")


@dataclass(eq=False)
class PR:
    author: Member
    repo: str
    summary: str
    first_commit_at: datetime
    created_at: datetime
    first_review_at: datetime | None
    merged_at: datetime | None
    closed_at: datetime | None
    additions: int
    deletions: int
    changed_files: int
    commits: int
    reviews: list[tuple[Member, str, datetime]]  # reviewer, state, submitted at
    tool: str | None = None  # signal tool when AI-assisted
    signals: tuple[str, ...] = ()
    bug_after: timedelta | None = None  # a bug it caused is reported this long after the merge
    number: int = 0
    ticket: "Ticket | None" = None
    reverts: "PR | None" = None

    @property
    def id(self) -> str:
        return f"github:pr:{self.repo}:{self.number}"


@dataclass(eq=False)
class Ticket:
    type: str  # story | task | bug
    assignee: Member
    created_at: datetime
    summary: str
    points: float | None = None
    planned: int = 1  # PRs it takes: bigger stories take more
    caused_by: PR | None = None
    fixed_by: list[PR] = field(default_factory=list)
    resolved_at: datetime | None = None
    number: int = 0

    @property
    def key(self) -> str:
        return f"{self.assignee.project}-{self.number}"


def effect(member: Member, moment: datetime) -> float:
    """How far the person's AI adoption has taken hold: 0 before, rising to 1 over three weeks."""
    if member.adopted is None:
        return 0.0
    return min(1.0, max(0.0, (moment.date() - member.adopted).days / RAMP_DAYS))


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def pull_requests(member: Member, period: Period, seed: int) -> list[PR]:
    """The PRs a person opens on the working days they are not away.

    Work accumulates at the person's pace (with day-to-day jitter) and a PR opens whenever a unit is
    done, so weekly output is steady, as it is for most engineers, and a persona's change after
    adoption stands out from the week-to-week noise.
    """
    if member.coding == 0 or not member.teammates:
        return []
    rng = random.Random(f"work:{seed}:{member.email}")
    prs = []
    done = rng.random()
    for day in period.working_from_lead_in:
        if day in member.away:
            continue
        opened = at(day, rng.uniform(9, 16))
        gain = 1 + (GAIN.get(member.persona, 1.0) - 1) * effect(member, opened)
        done += member.pr_rate * gain / 5 * rng.uniform(0.5, 1.5)
        while done >= 1:
            done -= 1
            prs.append(_pull_request(rng, member, period, opened))
            opened += timedelta(minutes=rng.randint(20, 120))
    prs = [pr for pr in prs if (pr.merged_at or pr.closed_at or period.end) >= period.start]
    broke = [pr for pr in prs if pr.bug_after and pr.merged_at]
    reverts = [_revert(rng, pr, period) for pr in broke if rng.random() < REVERT_RATE]
    return sorted(prs + [r for r in reverts if r], key=lambda pr: pr.created_at)


def _hours(rng: random.Random, median: float, spread: float, factor: float = 1.0) -> timedelta:
    return timedelta(hours=max(0.2, rng.lognormvariate(log(median), spread) * factor))


def _pull_request(rng: random.Random, member: Member, period: Period, created: datetime) -> PR:
    adopted = effect(member, created)
    speed = 1 - (1 - SPEED.get(member.persona, 1.0)) * adopted
    ai = adopted > 0 and rng.random() < AI_SHARE.get(member.persona, 0.0)
    first_commit = created - _hours(rng, 16, 0.8, speed)
    first_review = period.next_working_time(created + _hours(rng, 4, 0.9, speed ** 0.5))
    done = period.next_working_time(first_review + _hours(rng, 5, 0.9, speed))
    abandoned = rng.random() < 0.05
    additions = int(rng.lognormvariate(log(110), 1.0) * (1.3 if ai else 1.0)) + 1
    reviewer = rng.choice(member.teammates)
    state = rng.choices(("APPROVED", "CHANGES_REQUESTED", "COMMENTED"), weights=(75, 20, 5))[0]
    reviews = [(reviewer, state, first_review)]
    if state != "APPROVED":
        reviews.append((reviewer, "APPROVED", done - timedelta(minutes=rng.randint(5, 60))))
    pr = PR(author=member, repo=rng.choice(member.repos),
            summary=f"{rng.choice(VERBS)} {rng.choice(THINGS)}", first_commit_at=first_commit,
            created_at=created, first_review_at=first_review,
            merged_at=None if abandoned else done, closed_at=done if abandoned else None,
            additions=additions, deletions=int(additions * rng.uniform(0.05, 0.6)),
            changed_files=max(1, additions // 45 + rng.randint(0, 3)), commits=rng.randint(1, 6),
            reviews=[r for r in reviews if r[2] > created])
    if ai:
        tool = SIGNAL_TOOL[rng.choice(member.tools)]
        kinds = ["trailer"] if rng.random() < 0.65 or tool not in BRANCH_PREFIX else ["branch_prefix"]
        if rng.random() < 0.2:
            kinds.append("label")
        pr.tool, pr.signals = tool, tuple(kinds)
    bug_rate = REGRESSOR_BUG_RATE if ai and member.persona == "quality_regressor" else BUG_RATE
    if not abandoned and rng.random() < bug_rate * (1.5 if additions > 400 else 1.0):
        pr.bug_after = timedelta(days=rng.lognormvariate(log(6), 0.7))
    _cut_at(pr, period.end)
    return pr


def _revert(rng: random.Random, pr: PR, period: Period) -> PR | None:
    """The author reverts a PR that broke something, within a day of the breakage being reported."""
    created = period.next_working_time(pr.merged_at + pr.bug_after + timedelta(hours=rng.uniform(1, 20)))
    if created >= period.end:
        return None
    review = created + timedelta(minutes=rng.randint(10, 90))
    revert = PR(author=pr.author, repo=pr.repo, summary=f'Revert "{pr.summary}"',
                first_commit_at=created - timedelta(minutes=rng.randint(2, 15)), created_at=created,
                first_review_at=review, merged_at=review + timedelta(minutes=rng.randint(5, 40)), closed_at=None,
                additions=pr.deletions, deletions=pr.additions, changed_files=pr.changed_files, commits=1,
                reviews=[(rng.choice(pr.author.teammates), "APPROVED", review)], reverts=pr)
    _cut_at(revert, period.end)
    return revert


def _cut_at(pr: PR, end: datetime) -> None:
    """Drop what would happen after the period: those PRs are still open (or unreviewed) at its end."""
    pr.reviews = [r for r in pr.reviews if r[2] < end]
    if pr.first_review_at and pr.first_review_at >= end:
        pr.first_review_at = None
    for name in ("merged_at", "closed_at"):
        if (getattr(pr, name) or end) >= end:
            setattr(pr, name, None)


def tickets(member: Member, prs: list[PR], period: Period, seed: int) -> list[Ticket]:
    """Stories and tasks the person's PRs fix (one PR per three points), bugs their merged PRs caused, and
    which later PR fixed each."""
    rng = random.Random(f"tickets:{seed}:{member.email}")
    bugs = sorted((Ticket("bug", member, pr.merged_at + pr.bug_after, f"Regression: {pr.summary.lower()}",
                          caused_by=pr)
                   for pr in prs if pr.bug_after and pr.merged_at and pr.merged_at + pr.bug_after < period.end),
                  key=lambda t: t.created_at)
    found: list[Ticket] = list(bugs)
    current: Ticket | None = None
    for pr in prs:
        if pr.reverts:
            continue
        if bugs and bugs[0].created_at < pr.first_commit_at and rng.random() < 0.85:
            ticket = bugs.pop(0)
        elif current is not None and len(current.fixed_by) < current.planned:
            ticket = current
        else:
            kind = "story" if rng.random() < 0.6 else "task"
            points = float(rng.choice((1, 2, 3, 3, 5, 5, 8))) if kind == "story" else rng.choice((None, 1.0, 2.0))
            ticket = current = Ticket(kind, member, pr.first_commit_at - timedelta(days=rng.uniform(0.2, 10)),
                                      pr.summary, points=points, planned=1 + int(points or 1) // 3)
            found.append(ticket)
        ticket.fixed_by.append(pr)
        pr.ticket = ticket
    for ticket in found:
        _resolve(rng, ticket, period)
    return found


def _resolve(rng: random.Random, ticket: Ticket, period: Period) -> None:
    """Done when all its PRs are merged (or, for a bug nobody fixed in a PR, sometimes by hand)."""
    if ticket.fixed_by:
        merged = [pr.merged_at for pr in ticket.fixed_by if pr.merged_at]
        still_open = any(pr.merged_at is None and pr.closed_at is None for pr in ticket.fixed_by)
        if still_open or not merged:
            return
        resolved = max(merged) + timedelta(hours=rng.uniform(0.1, 6))
    elif rng.random() < 0.4:
        resolved = ticket.created_at + timedelta(days=rng.uniform(1, 10))
    else:
        return
    if resolved < period.end:
        ticket.resolved_at = resolved


def number(prs: list[PR], found: list[Ticket]) -> None:
    """PR numbers per repository and ticket keys per project, in the order things were created."""
    counters: dict[str, int] = {}
    for pr in sorted(prs, key=lambda p: (p.repo, p.created_at, p.author.email)):
        pr.number = counters[pr.repo] = counters.get(pr.repo, 0) + 1
    counters = {}
    for ticket in sorted(found, key=lambda t: (t.assignee.project, t.created_at, t.assignee.email, t.type)):
        project = ticket.assignee.project
        ticket.number = counters[project] = counters.get(project, 0) + 1


def pr_rows(prs: list[PR]) -> dict[str, list[dict]]:
    """Rows for pull_request, pull_request_review and ai_signal, as a GitHub connector would write them."""
    rows: dict[str, list[dict]] = {"pull_request": [], "pull_request_review": [], "ai_signal": []}
    for pr in prs:
        author = pr.author
        key = pr.ticket.key if pr.ticket else None
        slug = pr.summary.lower().replace(" ", "-")[:30]
        branch = (f"{BRANCH_PREFIX[pr.tool]}{slug}" if "branch_prefix" in pr.signals
                  else f"revert-{pr.reverts.number}-{author.login}" if pr.reverts
                  else f"{author.login}/{(key or 'chore').lower()}-{slug}")
        state = "merged" if pr.merged_at else "closed" if pr.closed_at else "open"
        activity = [pr.created_at, pr.merged_at, pr.closed_at, *(r[2] for r in pr.reviews)]
        rows["pull_request"].append({
            "id": pr.id, "repo": pr.repo, "number": pr.number,
            "title": f"{key}: {pr.summary}" if key else pr.summary,
            "person_id": author.person_id, "identity_id": f"github:{author.login}",
            "state": state, "original_state": "open" if state == "open" else "closed", "draft": False,
            "head_ref": branch, "base_ref": "main", "labels": ["ai-assisted"] if "label" in pr.signals else [],
            "first_commit_at": pr.first_commit_at, "created_at": pr.created_at,
            "first_review_at": pr.first_review_at, "merged_at": pr.merged_at, "closed_at": pr.merged_at or pr.closed_at,
            "updated_at": max(t for t in activity if t), "additions": pr.additions, "deletions": pr.deletions,
            "changed_files": pr.changed_files, "commits": pr.commits,
            "reverts_pr_id": pr.reverts.id if pr.reverts else None,
        })
        for index, (reviewer, review_state, submitted) in enumerate(pr.reviews):
            rows["pull_request_review"].append({
                "id": f"github:review:{pr.repo}:{pr.number * 10 + index}", "pr_id": pr.id,
                "person_id": reviewer.person_id, "identity_id": f"github:{reviewer.login}",
                "state": review_state, "submitted_at": submitted,
            })
        evidence = {"trailer": TRAILER.get(pr.tool or ""), "branch_prefix": branch, "label": "ai-assisted"}
        for kind in pr.signals:
            rows["ai_signal"].append({"id": f"{pr.id}:{kind}:{pr.tool}", "pr_id": pr.id, "kind": kind,
                                      "tool": pr.tool, "confidence": "high", "evidence": evidence[kind]})
    return rows


TYPE_NAMES = {"story": "Story", "task": "Task", "bug": "Bug"}


def ticket_rows(found: list[Ticket]) -> dict[str, list[dict]]:
    """Rows for ticket and ticket_pull_request, as a Jira connector would write them."""
    rows: dict[str, list[dict]] = {"ticket": [], "ticket_pull_request": []}
    for t in found:
        status, category = (("Done", "done") if t.resolved_at else ("In Progress", "indeterminate") if t.fixed_by
                            else ("To Do", "new"))
        ticket_id = f"jira:{t.key}"
        rows["ticket"].append({
            "id": ticket_id, "key": t.key, "project": t.assignee.project, "summary": t.summary,
            "type": t.type, "original_type": TYPE_NAMES[t.type], "status": status, "status_category": category,
            "priority": "High" if t.type == "bug" else "Medium", "created_at": t.created_at,
            "resolved_at": t.resolved_at, "resolution": "Done" if t.resolved_at else None,
            "person_id": t.assignee.person_id, "identity_id": f"jira:{t.assignee.jira_id}",
            "story_points": t.points, "links": [],
        })
        links = [(pr, "fixes") for pr in t.fixed_by] + ([(t.caused_by, "caused_by")] if t.caused_by else [])
        for pr, kind in links:
            rows["ticket_pull_request"].append({"id": f"{ticket_id}|{pr.id}|{kind}", "ticket_id": ticket_id,
                                                "pr_id": pr.id, "kind": kind})
    return rows

"""The demo's outcome data: pull requests with reviews and AI signals, and Jira-like tickets.

Each person's work comes from their own random stream (seeded by seed and email), so the work of
one person does not change when another is added. Personas change the work after adoption:
adopters ship more and faster, quality regressors ship AI-assisted PRs that cause bugs,
tokenmaxxers and non-users ship as before.
"""

import hashlib
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
TRAILER = {
    "copilot": "Co-authored-by: Copilot <copilot@github.com>",
    "claude": "Co-Authored-By: Claude <noreply@anthropic.com>",
    "cursor": "Made-with: Cursor",
}
BRANCH_PREFIX = {"copilot": "copilot/", "cursor": "cursor/"}
VERBS = ("Add", "Fix", "Refactor", "Speed up", "Remove", "Validate", "Log", "Cache", "Migrate", "Test")
THINGS = (
    "retry on webhook delivery",
    "pagination in the list endpoint",
    "the session expiry check",
    "currency rounding",
    "search ranking weights",
    "the onboarding email",
    "feature flag cleanup",
    "rate limiter settings",
    "the CSV export",
    "stale cache entries",
    "null handling in the parser",
    "the audit trail",
    "slow dashboard query",
    "flaky integration test",
    "the invoice PDF layout",
    "password reset flow",
    "mobile deep links",
    "dependency upgrades",
    "error messages",
    "timezone handling",
)


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
    first_review = period.next_working_time(created + _hours(rng, 4, 0.9, speed**0.5))
    done = period.next_working_time(first_review + _hours(rng, 5, 0.9, speed))
    abandoned = rng.random() < 0.05
    additions = int(rng.lognormvariate(log(110), 1.0) * (1.3 if ai else 1.0)) + 1
    reviewer = rng.choice(member.teammates)
    state = rng.choices(("APPROVED", "CHANGES_REQUESTED", "COMMENTED"), weights=(75, 20, 5))[0]
    reviews = [(reviewer, state, first_review)]
    if state != "APPROVED":
        reviews.append((reviewer, "APPROVED", done - timedelta(minutes=rng.randint(5, 60))))
    pr = PR(
        author=member,
        repo=rng.choice(member.repos),
        summary=f"{rng.choice(VERBS)} {rng.choice(THINGS)}",
        first_commit_at=first_commit,
        created_at=created,
        first_review_at=first_review,
        merged_at=None if abandoned else done,
        closed_at=done if abandoned else None,
        additions=additions,
        deletions=int(additions * rng.uniform(0.05, 0.6)),
        changed_files=max(1, additions // 45 + rng.randint(0, 3)),
        commits=rng.randint(1, 6),
        reviews=[r for r in reviews if r[2] > created],
    )
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
    revert = PR(
        author=pr.author,
        repo=pr.repo,
        summary=f'Revert "{pr.summary}"',
        first_commit_at=created - timedelta(minutes=rng.randint(2, 15)),
        created_at=created,
        first_review_at=review,
        merged_at=review + timedelta(minutes=rng.randint(5, 40)),
        closed_at=None,
        additions=pr.deletions,
        deletions=pr.additions,
        changed_files=pr.changed_files,
        commits=1,
        reviews=[(rng.choice(pr.author.teammates), "APPROVED", review)],
        reverts=pr,
    )
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
    bugs = sorted(
        (
            Ticket("bug", member, pr.merged_at + pr.bug_after, f"Regression: {pr.summary.lower()}", caused_by=pr)
            for pr in prs
            if pr.bug_after and pr.merged_at and pr.merged_at + pr.bug_after < period.end
        ),
        key=lambda t: t.created_at,
    )
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
            ticket = current = Ticket(
                kind,
                member,
                pr.first_commit_at - timedelta(days=rng.uniform(0.2, 10)),
                pr.summary,
                points=points,
                planned=1 + int(points or 1) // 3,
            )
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


def sha(*parts: object) -> str:
    """A stable made-up commit SHA."""
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


def merge_sha(pr: PR) -> str | None:
    return sha(pr.id, "merge") if pr.merged_at else None


def title(pr: PR) -> str:
    if pr.reverts:
        return f'Revert "{title(pr.reverts)}"'
    return f"{pr.ticket.key}: {pr.summary}" if pr.ticket else pr.summary


def revert_form(pr: PR) -> str:
    """How a revert was made: GitHub's button, ``git revert`` pushed as a PR, or a hand-written revert."""
    return ("button", "git_revert", "by_hand")[pr.number % 3]


def pr_rows(prs: list[PR]) -> dict[str, list[dict]]:
    """Rows for pull_request, pull_request_commit, pull_request_review and ai_signal, as the GitHub connector
    writes them: titles, bodies, branches, SHAs and commit messages; which PR reverts which (and which bug
    a fix repairs) is left for ``store.linking`` to read from them."""
    rows: dict[str, list[dict]] = {
        "pull_request": [],
        "pull_request_commit": [],
        "pull_request_review": [],
        "ai_signal": [],
    }
    for pr in prs:
        author = pr.author
        key = pr.ticket.key if pr.ticket else None
        slug = pr.summary.lower().replace(" ", "-")[:30]
        form = revert_form(pr) if pr.reverts else None
        branch = (
            f"{BRANCH_PREFIX[pr.tool]}{slug}"
            if "branch_prefix" in pr.signals
            else f"revert-{pr.reverts.number}-{author.login}"
            if form == "button"
            else f"{author.login}/{(key or 'chore').lower()}-{slug}"
        )
        state = "merged" if pr.merged_at else "closed" if pr.closed_at else "open"
        activity = [pr.created_at, pr.merged_at, pr.closed_at, *(r[2] for r in pr.reviews)]
        messages = [pr.summary] + [f"Address review: {pr.summary.lower()}"] * (pr.commits - 1)
        if "trailer" in pr.signals:
            messages[0] += f"\n\n{TRAILER[pr.tool]}"
        body = ""
        if form == "button":
            body = f"Reverts {pr.repo}#{pr.reverts.number}"
        elif form == "git_revert":
            messages = [f"{title(pr)}\n\nThis reverts commit {merge_sha(pr.reverts)}."]
        elif pr.ticket and pr.ticket.caused_by and trace(pr.ticket) == "fix_pr_body":
            cause = pr.ticket.caused_by
            body = f"Fixes {pr.ticket.key}. Regression from {cause.repo}#{cause.number}."
        shas = [sha(pr.id, index) for index in range(len(messages))]
        rows["pull_request"].append(
            {
                "id": pr.id,
                "repo": pr.repo,
                "number": pr.number,
                "title": title(pr),
                "body": body,
                "head_sha": shas[-1],
                "merge_commit_sha": merge_sha(pr),
                "person_id": author.person_id,
                "identity_id": f"github:{author.login}",
                "state": state,
                "original_state": "open" if state == "open" else "closed",
                "draft": False,
                "head_ref": branch,
                "base_ref": "main",
                "labels": ["ai-assisted"] if "label" in pr.signals else [],
                "first_commit_at": pr.first_commit_at,
                "created_at": pr.created_at,
                "first_review_at": pr.first_review_at,
                "merged_at": pr.merged_at,
                "closed_at": pr.merged_at or pr.closed_at,
                "updated_at": max(t for t in activity if t),
                "additions": pr.additions,
                "deletions": pr.deletions,
                "changed_files": pr.changed_files,
                "commits": pr.commits,
            }
        )
        rows["pull_request_commit"] += [
            {"id": f"{pr.id}:{commit}", "pr_id": pr.id, "sha": commit, "message": message}
            for commit, message in zip(shas, messages, strict=True)
        ]
        for index, (reviewer, review_state, submitted) in enumerate(pr.reviews):
            rows["pull_request_review"].append(
                {
                    "id": f"github:review:{pr.repo}:{pr.number * 10 + index}",
                    "pr_id": pr.id,
                    "person_id": reviewer.person_id,
                    "identity_id": f"github:{reviewer.login}",
                    "state": review_state,
                    "submitted_at": submitted,
                }
            )
        evidence = {"trailer": TRAILER.get(pr.tool or ""), "branch_prefix": branch, "label": "ai-assisted"}
        for kind in pr.signals:
            rows["ai_signal"].append(
                {
                    "id": f"{pr.id}:{kind}:{pr.tool}",
                    "pr_id": pr.id,
                    "kind": kind,
                    "tool": pr.tool,
                    "confidence": "high",
                    "evidence": evidence[kind],
                }
            )
    return rows


TYPE_NAMES = {"story": "Story", "task": "Task", "bug": "Bug"}
TRACES = ("jira_link", "pr_url", "commit_sha", "fix_pr_body", "none")
CAUSES = {"type": "is caused by", "name": "Problem/Incident", "direction": "inward"}
CAUSED = {"type": "causes", "name": "Problem/Incident", "direction": "outward"}


def trace(bug: Ticket) -> str:
    """How the reporter of a bug recorded its cause (one in five records none), so that the demo exercises
    every rule of ``store.linking`` and shows link coverage below 100 %."""
    form = TRACES[bug.number % len(TRACES)]
    if form == "jira_link" and not bug.caused_by.ticket:
        return "pr_url"
    if form == "fix_pr_body" and not any(pr.ticket is bug for pr in bug.fixed_by):
        return "pr_url"
    return form


def ticket_rows(found: list[Ticket]) -> dict[str, list[dict]]:
    """Rows for ticket and ticket_transition, as the Jira connector writes them: a bug carries its cause the
    way its reporter recorded it (a Problem/Incident link, a PR URL or a commit SHA in the description, or
    the fixing PR's body), and each ticket its status changes."""
    rows: dict[str, list[dict]] = {"ticket": [], "ticket_transition": []}
    links: dict[str, list[dict]] = {t.key: [] for t in found}
    texts: dict[str, str] = {}
    for bug in (t for t in found if t.caused_by):
        cause, form = bug.caused_by, trace(bug)
        if form == "jira_link":
            links[bug.key].append({**CAUSES, "key": cause.ticket.key})
            if cause.ticket.key in links:
                links[cause.ticket.key].append({**CAUSED, "key": bug.key})
        elif form == "pr_url":
            texts[bug.key] = f"Broken since https://github.com/{cause.repo}/pull/{cause.number} was deployed."
        elif form == "commit_sha":
            texts[bug.key] = f"Bisected to {merge_sha(cause)[:10]}."
    for t in found:
        status, category = (
            ("Done", "done") if t.resolved_at else ("In Progress", "indeterminate") if t.fixed_by else ("To Do", "new")
        )
        ticket_id = f"jira:{t.key}"
        changes = transitions(t)
        rows["ticket"].append(
            {
                "id": ticket_id,
                "key": t.key,
                "project": t.assignee.project,
                "summary": t.summary,
                "description": texts.get(t.key, ""),
                "type": t.type,
                "original_type": TYPE_NAMES[t.type],
                "status": status,
                "status_category": category,
                "priority": "High" if t.type == "bug" else "Medium",
                "created_at": t.created_at,
                "updated_at": changes[-1][0] if changes else t.created_at,
                "resolved_at": t.resolved_at,
                "resolution": "Done" if t.resolved_at else None,
                "person_id": t.assignee.person_id,
                "identity_id": f"jira:{t.assignee.jira_id}",
                "story_points": t.points,
                "links": links[t.key],
            }
        )
        previous = ("To Do", "new")
        for index, (moment, to, category) in enumerate(changes):
            rows["ticket_transition"].append(
                {
                    "id": f"{ticket_id}:{index}:0",
                    "ticket_id": ticket_id,
                    "at": moment,
                    "from_status": previous[0],
                    "to_status": to,
                    "from_category": previous[1],
                    "to_category": category,
                }
            )
            previous = (to, category)
    return rows


def transitions(t: Ticket) -> list[tuple[datetime, str, str]]:
    """Status changes: In Progress at the first commit, In Review when the first PR opens, Done at the
    resolution; one resolved ticket in eight was reopened once on the way."""
    started = min((pr.first_commit_at for pr in t.fixed_by), default=None)
    if started is None:
        if not t.resolved_at:
            return []
        started = t.created_at + (t.resolved_at - t.created_at) * 0.3
    started = max(started, t.created_at + timedelta(minutes=5))
    changes = [(started, "In Progress", "indeterminate")]
    review = min((pr.created_at for pr in t.fixed_by if pr.created_at > started), default=None)
    if review:
        changes.append((review, "In Review", "indeterminate"))
    if t.resolved_at and t.resolved_at > changes[-1][0]:
        last, span = changes[-1][0], t.resolved_at - changes[-1][0]
        if t.number % 8 == 0:
            changes += [
                (last + span * 0.4, "Done", "done"),
                (last + span * 0.5, "Reopened", "new"),
                (last + span * 0.6, "In Progress", "indeterminate"),
            ]
        changes.append((t.resolved_at, "Done", "done"))
    return changes

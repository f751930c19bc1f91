"""What the stored facts say about each other: the links Payoff derives, each kept with the rule that made it.

The sources (and the demo) store facts only: tickets with their Jira links, descriptions, remote links and
status changes; pull requests with their titles, bodies, branches, SHAs and own commits. ``relink``
derives from all of them, after every GitHub sync, Jira sync, ``payoff remap`` and demo seed (so a link
appears whichever side arrives first):

* ``fixes`` — a PR whose title (rule ``title``) or branch (``branch``) names a ticket's key, or that a
  source says fixes it (``named``: an import's ``ticket_keys``).
* ``caused_by`` — a bug ticket against a merged PR, by the first rule that finds it:
  ``jira_link``: the bug is linked to a ticket by a causation link (the phrases and link types an admin
  sets in ``causation_links``) and the PR fixes that ticket; ``named_in_bug``: the bug's summary,
  description or remote links name the PR (its URL, ``owner/repo#N``) or a commit SHA of it;
  ``fix_pr_body``: a PR fixing the bug says which PR introduced it ("regression from #12").
  A PR merged after the bug was reported, or one that fixes the bug itself, is never its cause.
* reverts (``pull_request.reverts_pr_id`` and ``reverts_rule``): ``stated`` (a source records it: an import's
  ``stated_reverts_pr_id``), ``revert_button`` (GitHub's button writes
  "Reverts owner/repo#N" and a ``revert-N-…`` branch), ``revert_commit`` (a commit says "This reverts
  commit <sha>" of a PR's merge or head commit), ``revert_title`` (``Revert "<title>"``: the most recent
  PR of that repository merged before it with that title). A revert of a revert is itself a revert; the
  reads count a PR as reverted only while its revert is not reverted too.
* ``ticket_cycle`` — from the first move into an in-progress status to the resolution, with the hours in
  each status category between them and how often the ticket left a done status.

Nothing else writes these (``models.DERIVED_COLUMNS``/``DERIVED_TABLES``; a test watches every write).
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, select

from payoff.store import org_settings
from payoff.store.models import PullRequest, PullRequestCommit, Ticket, TicketCycle, TicketPullRequest, TicketTransition
from payoff.store.writes import upsert

# A Jira key (PROJECT-123) standing on its own; branches often lower-case it (feature/abc-123-login).
TICKET_KEY = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9_]*-\d+)(?!\d)")
PR_URL = re.compile(r"https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/(\d+)", re.IGNORECASE)
PR_REF = re.compile(r"(?<![\w/.-])([\w.-]+/[\w.-]+)#(\d+)\b")
# A SHA has a letter somewhere (a run of digits is more likely an order number); matched by prefix.
SHA = re.compile(r"(?<![0-9a-f])(?=[0-9]*[a-f])[0-9a-f]{7,40}(?![0-9a-z])", re.IGNORECASE)
REGRESSION = re.compile(
    r"\b(?:regression\s+(?:from|of|in|by)|caused\s+by|introduced\s+(?:in|by)|broken\s+(?:in|by))"
    r"\s+(?:(https?://[^/\s]+/([\w.-]+/[\w.-]+)/pull/(\d+))|([\w.-]+/[\w.-]+)?#(\d+))",
    re.IGNORECASE,
)
REVERTS_BODY = re.compile(r"\breverts\s+(?:([\w.-]+/[\w.-]+))?#(\d+)", re.IGNORECASE)
REVERT_BRANCH = re.compile(r"^revert-(\d+)-")
REVERT_TITLE = re.compile(r'^\s*Revert\s+"(.*)"\s*$', re.DOTALL)
REVERTS_COMMIT = re.compile(r"\bThis reverts commit ([0-9a-f]{7,40})\b", re.IGNORECASE)
SHORT = 7  # the shortest SHA prefix read as a commit


@dataclass
class Facts:
    tickets: list  # rows of Ticket columns: id, key, type, summary, description, links, remote_links, created_at
    prs: (
        list  # rows: id, repo, number, title, body, head_ref, head_sha, merge_commit_sha, state, created_at, merged_at,
    )
    #                 ticket_keys, stated_reverts_pr_id
    commits: dict[str, list[tuple[str, str]]]  # pr id -> [(sha, message)]


def pr_id(repo: str, number: int | str) -> str:
    """The id GitHub's mapping gives a PR (repository names are case-insensitive)."""
    return f"github:pr:{repo.lower()}:{int(number)}"


def relink(session: Session) -> dict[str, int]:
    """Recompute every derived link and cycle; returns how many there are of each."""
    facts = _facts(session)
    fixes = fixes_links(facts)
    caused = caused_by_links(facts, fixes, org_settings.get(session, "causation_links"))
    _replace_links(session, {**fixes, **caused})
    reverts = revert_links(facts)
    _write_reverts(session, reverts)
    cycles = ticket_cycles(session)
    return {"fixes": len(fixes), "caused_by": len(caused), "reverts": len(reverts), "cycles": len(cycles)}


def _facts(session: Session) -> Facts:
    t, p = Ticket, PullRequest
    tickets = session.exec(
        select(t.id, t.key, t.type, t.summary, t.description, t.links, t.remote_links, t.created_at)
    ).all()
    prs = session.exec(
        select(
            p.id,
            p.repo,
            p.number,
            p.title,
            p.body,
            p.head_ref,
            p.head_sha,
            p.merge_commit_sha,
            p.state,
            p.created_at,
            p.merged_at,
            p.ticket_keys,
            p.stated_reverts_pr_id,
        )
    ).all()
    commits: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pr, sha, message in session.exec(
        select(PullRequestCommit.pr_id, PullRequestCommit.sha, PullRequestCommit.message)
    ):
        commits[pr].append((sha.lower(), message or ""))
    return Facts(tickets, prs, commits)


def _link(ticket_id: str, pr: str, kind: str, rule: str) -> tuple[str, dict]:
    key = f"{ticket_id}|{pr}|{kind}"
    return key, {"id": key, "ticket_id": ticket_id, "pr_id": pr, "kind": kind, "rule": rule}


def mentioned_keys(text: str | None) -> set[str]:
    return {key.upper() for key in TICKET_KEY.findall(text or "")}


def fixes_links(facts: Facts) -> dict[str, dict]:
    tickets = {key.upper(): ticket_id for ticket_id, key, *_ in facts.tickets}
    wanted: dict[str, dict] = {}
    for pr in facts.prs:
        named = {key.upper() for key in pr.ticket_keys or ()}
        for rule, keys in (
            ("title", mentioned_keys(pr.title)),
            ("branch", mentioned_keys(pr.head_ref)),
            ("named", named),
        ):
            for key in sorted(keys & tickets.keys()):
                link, row = _link(tickets[key], pr.id, "fixes", rule)
                wanted.setdefault(link, row)
    return wanted


class _Commits:
    """Merged PRs by any SHA of theirs (merge, head, own commits), looked up by a prefix of seven or more."""

    def __init__(self, facts: Facts, *, own_commits: bool):
        self.by_prefix: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for pr in facts.prs:
            shas = {pr.merge_commit_sha, pr.head_sha} | (
                {sha for sha, _ in facts.commits.get(pr.id, ())} if own_commits else set()
            )
            for sha in filter(None, shas):
                self.by_prefix[sha[:SHORT].lower()].add((sha.lower(), pr.id))

    def prs(self, sha: str) -> set[str]:
        sha = sha.lower()
        return {pr for full, pr in self.by_prefix.get(sha[:SHORT], ()) if full.startswith(sha)}


def named_prs(text: str, stored: set[str], commits: _Commits) -> set[str]:
    """The stored PRs a text names: by URL, by ``owner/repo#N`` or by a commit SHA."""
    named = {pr_id(repo, n) for repo, n in PR_URL.findall(text)} | {pr_id(repo, n) for repo, n in PR_REF.findall(text)}
    for sha in SHA.findall(text):
        named |= commits.prs(sha)
    return named & stored


def caused_by_links(facts: Facts, fixes: dict[str, dict], setting: dict) -> dict[str, dict]:
    phrases = {p.strip().lower() for p in setting.get("phrases", [])}
    types = {t.strip().lower() for t in setting.get("link_types", [])}
    merged = {pr.id: pr for pr in facts.prs if pr.state == "merged" and pr.merged_at}
    by_key = {key.upper(): ticket_id for ticket_id, key, *_ in facts.tickets}
    fixed_by, fixing = defaultdict(set), defaultdict(set)
    for row in fixes.values():
        fixed_by[row["ticket_id"]].add(row["pr_id"])
        fixing[row["pr_id"]].add(row["ticket_id"])
    commits = _Commits(facts, own_commits=True)
    wanted: dict[str, dict] = {}

    def add(bug, pr: str, rule: str) -> None:
        # A PR merged after the bug was reported cannot have caused it; a PR fixing the bug is its cure.
        if pr in merged and merged[pr].merged_at < bug.created_at and pr not in fixed_by[bug.id]:
            link, row = _link(bug.id, pr, "caused_by", rule)
            wanted.setdefault(link, row)

    bugs = [t for t in facts.tickets if t.type == "bug"]
    for bug in bugs:
        for link in bug.links or []:
            causal = link.get("type", "").lower() in phrases or (
                link.get("name", "").lower() in types and link.get("direction") == "inward"
            )
            cause = by_key.get((link.get("key") or "").upper())
            if causal and cause:
                for pr in sorted(fixed_by[cause]):
                    add(bug, pr, "jira_link")
    for bug in bugs:
        text = "\n".join([bug.summary or "", bug.description or "", *(bug.remote_links or [])])
        for pr in sorted(named_prs(text, merged.keys(), commits)):
            add(bug, pr, "named_in_bug")
    tickets = {t.id: t for t in bugs}
    for pr in facts.prs:
        fixed_bugs = [tickets[t] for t in sorted(fixing[pr.id]) if t in tickets]
        if not fixed_bugs:
            continue
        for url, url_repo, url_number, repo, number in REGRESSION.findall(f"{pr.title}\n{pr.body or ''}"):
            cause = pr_id(url_repo, url_number) if url else pr_id(repo or pr.repo, number)
            for bug in fixed_bugs:
                add(bug, cause, "fix_pr_body")
    return wanted


def _replace_links(session: Session, wanted: dict[str, dict]) -> None:
    stored = dict(session.exec(select(TicketPullRequest.id, TicketPullRequest.rule)).all())
    stale = list(stored.keys() - wanted.keys())
    for start in range(0, len(stale), 500):
        session.execute(delete(TicketPullRequest).where(TicketPullRequest.id.in_(stale[start : start + 500])))
    upsert(session, TicketPullRequest, [row for key, row in wanted.items() if stored.get(key) != row["rule"]])


def revert_links(facts: Facts) -> dict[str, tuple[str, str]]:
    """Reverting PR id -> (reverted PR id, rule)."""
    stored = {pr.id for pr in facts.prs}
    commits = _Commits(facts, own_commits=False)
    titled: dict[tuple[str, str], list] = defaultdict(list)
    for pr in facts.prs:
        if pr.state == "merged" and pr.merged_at:
            titled[(pr.repo, pr.title.strip())].append(pr)
    found: dict[str, tuple[str, str]] = {}
    for pr in facts.prs:
        for rule, target in _revert_targets(pr, facts.commits.get(pr.id, ()), commits, titled):
            if target and target != pr.id and target in stored:
                found[pr.id] = (target, rule)
                break
    return found


def _revert_targets(pr, own: list[tuple[str, str]], commits: _Commits, titled: dict):
    """(rule, target) candidates in order of trust; evaluated lazily."""
    if pr.stated_reverts_pr_id:
        yield "stated", pr.stated_reverts_pr_id
    button = REVERTS_BODY.search(pr.body or "")
    if button:
        yield "revert_button", pr_id(button.group(1) or pr.repo, button.group(2))
    branch = REVERT_BRANCH.match(pr.head_ref or "")
    if branch:
        yield "revert_button", pr_id(pr.repo, branch.group(1))
    for _, message in own:
        for sha in REVERTS_COMMIT.findall(message):
            for target in sorted(commits.prs(sha)):
                yield "revert_commit", target
    title = REVERT_TITLE.match(pr.title or "")
    if title:
        moment = pr.merged_at or pr.created_at
        earlier = [p for p in titled.get((pr.repo, title.group(1).strip()), ()) if p.merged_at < moment]
        if earlier:
            yield "revert_title", max(earlier, key=lambda p: p.merged_at).id


def _write_reverts(session: Session, wanted: dict[str, tuple[str, str]]) -> None:
    stored = {
        pr: (target, rule)
        for pr, target, rule in session.exec(
            select(PullRequest.id, PullRequest.reverts_pr_id, PullRequest.reverts_rule)
        )
        if target or rule
    }
    changes = [
        {"key": pr, "target": target, "rule": rule}
        for pr, (target, rule) in wanted.items()
        if stored.get(pr) != (target, rule)
    ]
    changes += [{"key": pr, "target": None, "rule": None} for pr in stored.keys() - wanted.keys()]
    if changes:
        table = PullRequest.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("key"))
            .values(reverts_pr_id=bindparam("target"), reverts_rule=bindparam("rule")),
            changes,
        )


def cycle(transitions: list, resolved_at: datetime | None) -> dict | None:
    """One ticket's cycle from its status changes (oldest first), ``None`` when it never started.

    Started: the first move into the in-progress category (``indeterminate``). Phases: the hours from
    the start to the resolution spent in each category (a reopened ticket counts its second run too).
    """
    start = next((i for i, t in enumerate(transitions) if t.to_category == "indeterminate"), None)
    if start is None:
        return None
    started = transitions[start].at
    hours = {"new": 0.0, "indeterminate": 0.0, "done": 0.0}
    end = resolved_at if resolved_at and resolved_at >= started else None
    steps = transitions[start:]
    for here, after in zip(steps, [*steps[1:], None], strict=True):
        until = after.at if after else end
        if until is None or end is None:
            break
        until = min(until, end)
        if here.to_category in hours and until > here.at:
            hours[here.to_category] += (until - here.at).total_seconds() / 3600
    reopens = sum(1 for t in steps if t.from_category == "done" and t.to_category != "done")
    return {
        "started_at": started,
        "resolved_at": end,
        "cycle_hours": (end - started).total_seconds() / 3600 if end else None,
        "new_hours": hours["new"],
        "in_progress_hours": hours["indeterminate"],
        "done_hours": hours["done"],
        "reopens": reopens,
    }


def ticket_cycles(session: Session) -> dict[str, dict]:
    t = TicketTransition
    resolved = dict(session.exec(select(Ticket.id, Ticket.resolved_at)).all())
    changes = defaultdict(list)
    for row in session.exec(
        select(t.ticket_id, t.at, t.from_category, t.to_category).order_by(t.ticket_id, t.at, t.id)
    ):
        changes[row.ticket_id].append(row)
    wanted = {}
    for ticket_id, rows in changes.items():
        found = cycle(rows, resolved.get(ticket_id))
        if found:
            wanted[ticket_id] = {"ticket_id": ticket_id, **found}
    stale = list(set(session.exec(select(TicketCycle.ticket_id))) - wanted.keys())
    for start in range(0, len(stale), 500):
        session.execute(delete(TicketCycle).where(TicketCycle.ticket_id.in_(stale[start : start + 500])))
    upsert(session, TicketCycle, wanted.values())
    return wanted

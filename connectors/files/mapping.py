"""Pure: the rows of an import file -> domain rows, per format (AI usage, pull requests, tickets).

The raw payload kept per object is ``{"records": [...]}``: the file's rows behind it, as read (a pull
request or ticket is one row; a person's usage of one tool on one day adds up all of that day's rows).
``payoff remap`` parses and maps them again without the file. Ids are namespaced by the forge or
tracker the file names (``gitlab:pr:<repo>:<number>``, ``linear:<KEY>``), so people imported with a
``gitlab_login`` column match the authors, and a second import of the same file changes nothing.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from payoff.connectors.files.reading import (
    BadCell,
    BadFile,
    Progress,
    Spec,
    amount,
    count,
    day,
    email,
    flag,
    items,
    moment,
    name,
    prose,
    quiet,
    text,
)
from payoff.connectors.github.mapping import ai_signals
from payoff.connectors.jira.mapping import TYPES as TICKET_TYPES

SOURCE = "import"

# --- AI usage ------------------------------------------------------------------------------------

SUMMED = ("input_tokens", "output_tokens", "cost_usd", "requests", "sessions", "lines_accepted")


def _agent_run_has_a_task(row: dict[str, Any]) -> None:
    if row.get("agent") and not row.get("task_fingerprint"):
        raise BadCell("task_fingerprint", "an agent run needs a task fingerprint")


USAGE = Spec(
    required={
        "date": day,
        "email": email,
        "tool": lambda v: text(v).lower(),
        "input_tokens": count,
        "output_tokens": count,
        "cost_usd": amount,
    },
    optional={
        "requests": count,
        "sessions": count,
        "lines_accepted": count,
        "agent": text,
        "task_fingerprint": text,
        "started_at": moment,
    },
    check_row=_agent_run_has_a_task,
)


def usage_rows(rows: list[dict]) -> dict[str, list[dict]]:
    """One person's use of one tool on one day, added up into one daily row; rows with a task fingerprint
    are also agent runs (the same run twice counts once)."""
    tool, address, on = rows[0]["tool"], rows[0]["email"], rows[0]["date"]
    who = f"{tool}:{address}"
    daily = {
        "id": f"{who}:{on}:{tool}",
        "identity_id": who,
        "day": on,
        "tool": tool,
        "source": SOURCE,
        **dict.fromkeys(SUMMED, 0),
    }
    runs: dict[str, dict] = {}
    untimed: Counter = Counter()
    for row in rows:
        if row.get("task_fingerprint"):
            run = _agent_run(row, who, untimed)
            if run["id"] in runs:
                continue
            runs[run["id"]] = run
        for column in SUMMED:
            daily[column] += row.get(column) or 0
    return {
        "identity": [{"id": who, "source": tool, "external_id": address, "label": address}],
        "ai_usage_daily": [daily],
        "agent_run": list(runs.values()),
    }


def _agent_run(row: dict, who: str, untimed: Counter) -> dict:
    agent, started = row.get("agent") or row["tool"], row.get("started_at")
    if started is None:  # without a start time, the n-th run of a task that day is told apart by n
        base = f"{SOURCE}:{agent}:{row['email']}:{row['date']}:{row['task_fingerprint']}"
        untimed[base] += 1
        run_id, started = f"{base}#{untimed[base]}", datetime.combine(row["date"], time(0), tzinfo=UTC)
    else:
        run_id = f"{SOURCE}:{agent}:{row['email']}:{started.isoformat()}:{row['task_fingerprint']}"
    return {
        "id": run_id,
        "identity_id": who,
        "agent": agent,
        "started_at": started,
        "task_fingerprint": row["task_fingerprint"],
        "input_tokens": row["input_tokens"],
        "output_tokens": row["output_tokens"],
        "cost_usd": row["cost_usd"],
        "source": SOURCE,
    }


# --- pull requests -------------------------------------------------------------------------------

# Each forge's word for a state -> open | merged | closed (the original is kept beside it).
PR_STATES = {
    "open": "open",
    "opened": "open",
    "active": "open",
    "merged": "merged",
    "completed": "merged",
    "closed": "closed",
    "declined": "closed",
    "abandoned": "closed",
    "superseded": "closed",
    "locked": "closed",
}


def _pr_state(value: Any) -> str:
    word = text(value).lower()
    if word not in PR_STATES:
        raise ValueError(f"{value!r} is not a state ({' | '.join(PR_STATES)})")
    return word


def _reviews(value: Any) -> list[dict]:
    """``login STATE time`` entries separated by ``;`` (or, in JSONL, objects with author, state, submitted_at)."""
    reviews = []
    for entry in value if isinstance(value, list) else items(value):
        parts = (
            [entry.get(key) for key in ("author", "state", "submitted_at")]
            if isinstance(entry, dict)
            else str(entry).split()
        )
        if len(parts) != 3 or any(part in (None, "") for part in parts):
            raise ValueError(f"{entry!r} is not a review like 'bo APPROVED 2026-10-05T10:00:00Z'")
        reviews.append({"author": text(parts[0]), "state": text(parts[1]).upper(), "submitted_at": moment(parts[2])})
    return reviews


def _merged_has_a_time(row: dict[str, Any]) -> None:
    if PR_STATES[row["state"]] == "merged" and not row.get("merged_at"):
        raise BadCell("merged_at", "a merged pull request needs merged_at")


PULL_REQUESTS = Spec(
    required={
        "forge": name,
        "repo": lambda v: text(v).lower(),
        "number": count,
        "author": text,
        "state": _pr_state,
        "created_at": moment,
    },
    optional={
        "title": prose,
        "author_email": email,
        "author_bot": flag,
        "draft": flag,
        "head_ref": text,
        "base_ref": text,
        "labels": items,
        "reviews": _reviews,
        "trailers": items,
        "tickets": lambda v: [key.upper() for key in items(v)],
        "reverts": count,
        "first_commit_at": moment,
        "merged_at": moment,
        "closed_at": moment,
        "updated_at": moment,
        "additions": count,
        "deletions": count,
        "changed_files": count,
        "commits": count,
    },
    check_row=_merged_has_a_time,
)


def _identity(source: str, login: str, label: str | None = None) -> dict:
    """Logins are matched case-insensitively, as ``<source>_login`` columns of the people file are."""
    return {"id": f"{source}:{login.lower()}", "source": source, "external_id": login.lower(), "label": label}


def pull_request_rows(rows: list[dict]) -> dict[str, list[dict]]:
    [row] = rows
    forge, repo, number = row["forge"], row["repo"], row["number"]
    pid = f"{forge}:pr:{repo}:{number}"
    author = _identity(forge, row["author"], row.get("author_email"))
    reviews = row.get("reviews") or []
    reviewers = {r["author"].lower(): _identity(forge, r["author"]) for r in reviews}
    times = [row["created_at"], row.get("merged_at"), row.get("closed_at")]
    pull_request = {
        "id": pid,
        "repo": repo,
        "number": number,
        "title": row.get("title") or "",
        "identity_id": author["id"],
        "state": PR_STATES[row["state"]],
        "original_state": row["state"],
        "draft": bool(row.get("draft")),
        "head_ref": row.get("head_ref"),
        "base_ref": row.get("base_ref"),
        "labels": row.get("labels") or [],
        "first_commit_at": row.get("first_commit_at"),
        "created_at": row["created_at"],
        "first_review_at": min(
            (r["submitted_at"] for r in reviews if r["author"].lower() != author["external_id"]), default=None
        ),
        "merged_at": row.get("merged_at"),
        "closed_at": row.get("closed_at"),
        "updated_at": row.get("updated_at") or max(t for t in times if t),
        **{column: row.get(column) for column in ("additions", "deletions", "changed_files", "commits")},
        "stated_reverts_pr_id": f"{forge}:pr:{repo}:{row['reverts']}" if row.get("reverts") else None,
        "ticket_keys": row.get("tickets") or [],
    }
    review_rows = [
        {
            "id": f"{forge}:review:{repo}:{number}:{r['author'].lower()}:{r['submitted_at'].isoformat()}",
            "pr_id": pid,
            "identity_id": reviewers[r["author"].lower()]["id"],
            "state": r["state"],
            "submitted_at": r["submitted_at"],
        }
        for r in reviews
    ]
    # The explicit markers GitHub's mapping finds, in the same shapes: trailers, bot author, branch, labels.
    signals = ai_signals(
        pid,
        {"head": {"ref": row.get("head_ref")}, "labels": [{"name": n} for n in pull_request["labels"]]},
        {"login": row["author"], "type": "Bot" if row.get("author_bot") else "User"},
        [{"sha": "", "commit": {"message": trailer}} for trailer in row.get("trailers") or []],
    )
    return {
        "identity": [author, *(i for login, i in reviewers.items() if login != author["external_id"])],
        "pull_request": [pull_request],
        "pull_request_review": review_rows,
        "ai_signal": [{**signal, "evidence": signal["evidence"].strip()} for signal in signals],
    }


# --- tickets -------------------------------------------------------------------------------------

# Each tracker's words for where a ticket stands -> Jira's status categories (new | indeterminate | done).
CATEGORIES = {
    "new": "new",
    "todo": "new",
    "to do": "new",
    "backlog": "new",
    "unstarted": "new",
    "triage": "new",
    "indeterminate": "indeterminate",
    "in progress": "indeterminate",
    "started": "indeterminate",
    "doing": "indeterminate",
    "done": "done",
    "completed": "done",
    "closed": "done",
    "resolved": "done",
    "canceled": "done",
    "cancelled": "done",
}


def _category(value: Any) -> str:
    word = text(value).lower().replace("_", " ")
    if word not in CATEGORIES:
        raise ValueError(
            f"{value!r} is not a status category (new | indeterminate | done, or e.g. backlog, started, completed)"
        )
    return CATEGORIES[word]


def _links(value: Any) -> list[dict[str, str]]:
    """``type KEY`` entries separated by ``;`` (the type may have spaces: ``is blocked by ABC-2``), or, in
    JSONL, objects with type and key."""
    links = []
    for entry in value if isinstance(value, list) else items(value):
        kind, _, key = (
            (f"{entry.get('type', '')} {entry.get('key', '')}" if isinstance(entry, dict) else str(entry))
            .strip()
            .rpartition(" ")
        )
        if not kind.strip() or not key:
            raise ValueError(f"{entry!r} is not a link like 'blocks ABC-2'")
        links.append({"type": kind.strip(), "key": key.upper()})
    return links


TICKETS = Spec(
    required={"tracker": name, "key": lambda v: text(v).upper(), "type": text, "status": text, "created_at": moment},
    optional={
        "project": text,
        "summary": prose,
        "status_category": _category,
        "priority": text,
        "resolved_at": moment,
        "resolution": text,
        "assignee": text,
        "assignee_email": email,
        "story_points": amount,
        "links": _links,
    },
)


def ticket_rows(rows: list[dict]) -> dict[str, list[dict]]:
    [row] = rows
    tracker, key = row["tracker"], row["key"]
    login = row.get("assignee") or row.get("assignee_email")
    assignee = _identity(tracker, login, row.get("assignee_email")) if login else None
    ticket = {
        "id": f"{tracker}:{key}",
        "key": key,
        "project": row.get("project") or key.rsplit("-", 1)[0],
        "summary": row.get("summary") or "",
        "type": TICKET_TYPES.get(row["type"].lower(), "other"),
        "original_type": row["type"],
        "status": row["status"],
        "status_category": row.get("status_category") or ("done" if row.get("resolved_at") else "new"),
        "priority": row.get("priority"),
        "created_at": row["created_at"],
        "resolved_at": row.get("resolved_at"),
        "resolution": row.get("resolution"),
        "identity_id": assignee["id"] if assignee else None,
        "story_points": row.get("story_points"),
        "links": row.get("links") or [],
    }
    return {"identity": [assignee] if assignee else [], "ticket": [ticket]}


# --- formats -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One kind of file: its columns, which object (raw payload) a row belongs to, and that object's rows."""

    spec: Spec
    object_id: Callable[[dict], str]
    rows: Callable[[list[dict]], dict[str, list[dict]]]
    what: str  # how a message names one object ("pull request", "ticket")
    one_row_each: bool = True


FORMATS = {
    "usage": Format(USAGE, lambda r: f"{r['tool']}:{r['email']}:{r['date']}", usage_rows, "day", False),
    "pull_requests": Format(
        PULL_REQUESTS, lambda r: f"{r['forge']}:{r['repo']}#{r['number']}", pull_request_rows, "pull request"
    ),
    "tickets": Format(TICKETS, lambda r: f"{r['tracker']}:{r['key']}", ticket_rows, "ticket"),
}


@dataclass
class FileObjects:
    """A checked file: every parsed row with its line, and its objects as (object id, raw payload, rows)."""

    rows: list[tuple[int, dict[str, Any]]]
    objects: list[tuple[str, dict, dict[str, list[dict]]]]


def read(stream: str, path: Path, progress: Progress = quiet) -> FileObjects:
    """Read and check a whole file of the format ``stream``; raises ``BadFile``."""
    form = FORMATS[stream]
    rows, groups = [], {}
    for line, record, row in form.spec.records(path, progress):
        rows.append((line, row))
        object_id = form.object_id(row)
        if form.one_row_each and object_id in groups:
            raise BadFile(path, line, "1", f"{form.what} {object_id} is already on line {groups[object_id][0][0]}")
        groups.setdefault(object_id, []).append((line, record, row))
    return FileObjects(
        rows,
        [
            (object_id, {"records": [record for _, record, _ in group]}, form.rows([row for _, _, row in group]))
            for object_id, group in groups.items()
        ],
    )


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """The stored rows of one object, parsed and mapped again."""
    form = FORMATS[stream]
    return form.rows([form.spec.parse(record) for record in payload["records"]])

"""Pure: one pull request's payloads (the PR, its reviews, its own commits) -> domain rows.

The raw payload kept per pull request is ``{"repo", "pull", "reviews", "commits"}``; ``payoff remap``
replays it through ``remap`` without calling GitHub. Ids are namespaced and stable, so a re-sync
upserts. AI-assistance signals found here are explicit markers, hence ``high`` confidence. What a PR
says about other PRs (reverts, regressions) is kept as it is written (title, body, commit messages) and
resolved by ``store.linking`` once both sides are stored.
"""

import re
from datetime import UTC, datetime

SOURCE = "github"
SIGNAL_KINDS = ("trailer", "bot_author", "branch_prefix", "label")  # the explicit ones, all found here
GHOST = "ghost"  # GitHub shows deleted accounts as this user; the payload may also carry null

# Substrings that name an AI tool in a trailer, bot login, branch or label, and the tool they mean.
TOOLS = (
    ("copilot", "copilot"),
    ("claude", "claude"),
    ("anthropic", "claude"),
    ("cursor", "cursor"),
    ("codex", "codex"),
    ("openai", "codex"),
    ("devin", "devin"),
    ("gemini", "gemini"),
    ("aider", "aider"),
)
BRANCH_PREFIXES = ("copilot/", "codex/", "cursor/", "claude/", "devin/")
TRAILER = re.compile(
    r"^[ \t]*(co-authored-by|made-with|assisted-by|generated-by)[ \t]*:[ \t]*(.+?)[ \t]*$", re.IGNORECASE | re.MULTILINE
)
FOOTER = re.compile(r"^.*\bgenerated (?:with|by)\b.*$", re.IGNORECASE | re.MULTILINE)
AI_LABEL = re.compile(r"(?<![a-z])(ai|llm|genai)(?![a-z])", re.IGNORECASE)


def pr_id(repo: str, number: int) -> str:
    """GitHub repository names are case-insensitive, so ids use the lower-cased ``owner/name``."""
    return f"{SOURCE}:pr:{repo.lower()}:{number}"


def identity_id(user: dict | None) -> str | None:
    """GitHub logins are case-insensitive, so the id uses the lower-cased login."""
    return f"{SOURCE}:{user['login'].lower()}" if user and user.get("login") else None


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def tool_named(text: str) -> str | None:
    lowered = text.lower()
    return next((tool for word, tool in TOOLS if word in lowered), None)


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """The registry entry for ``payoff remap``: GitHub keeps only the ``pulls`` stream."""
    return pull_request_rows(payload)


def pull_request_rows(payload: dict) -> dict[str, list[dict]]:
    repo, pull = payload["repo"].lower(), payload["pull"]
    reviews, commits = payload.get("reviews") or [], payload.get("commits") or []
    pid = pr_id(repo, pull["number"])
    author = pull.get("user") or {"login": GHOST}
    submitted = [r for r in reviews if r.get("submitted_at") and r.get("state") != "PENDING"]
    users = [author, *(r.get("user") for r in submitted)]
    return {
        "identity": [
            {"id": key, "source": SOURCE, "external_id": u["login"]}
            for key, u in reversed({identity_id(u): u for u in reversed(users) if u}.items())
        ],
        "pull_request": [pull_request(repo, pull, author, submitted, commits)],
        "pull_request_commit": [
            {
                "id": f"{pid}:{c['sha']}",
                "pr_id": pid,
                "sha": c["sha"],
                "message": (c.get("commit") or {}).get("message") or "",
            }
            for c in commits
            if c.get("sha")
        ],
        "pull_request_review": [review(repo, pid, r) for r in submitted],
        "ai_signal": ai_signals(pid, pull, author, commits),
    }


def pull_request(repo: str, pull: dict, author: dict, reviews: list[dict], commits: list[dict]) -> dict:
    merged_at = when(pull.get("merged_at"))
    authored = [when(c["commit"]["author"]["date"]) for c in commits if (c.get("commit") or {}).get("author")]
    return {
        "id": pr_id(repo, pull["number"]),
        "repo": repo,
        "number": pull["number"],
        "title": pull.get("title") or "",
        "body": pull.get("body") or "",
        "head_sha": (pull.get("head") or {}).get("sha"),
        "merge_commit_sha": pull.get("merge_commit_sha") if merged_at else None,
        "identity_id": identity_id(author),
        "state": "merged" if merged_at else ("closed" if pull["state"] == "closed" else "open"),
        "original_state": pull["state"],
        "draft": bool(pull.get("draft")),
        "head_ref": (pull.get("head") or {}).get("ref"),
        "base_ref": (pull.get("base") or {}).get("ref"),
        "labels": [label["name"] for label in pull.get("labels") or []],
        "first_commit_at": min(authored, default=None),
        "created_at": when(pull["created_at"]),
        "first_review_at": first_review_at(author, reviews),
        "merged_at": merged_at,
        "closed_at": when(pull.get("closed_at")),
        "updated_at": when(pull["updated_at"]),
        "additions": pull.get("additions"),
        "deletions": pull.get("deletions"),
        "changed_files": pull.get("changed_files"),
        "commits": pull.get("commits", len(commits) or None),
    }


def first_review_at(author: dict, reviews: list[dict]) -> datetime | None:
    """Earliest submitted review by someone other than the author (a deleted reviewer counts)."""
    others = [when(r["submitted_at"]) for r in reviews if identity_id(r.get("user")) != identity_id(author)]
    return min(others, default=None)


def review(repo: str, pid: str, payload: dict) -> dict:
    return {
        "id": f"{SOURCE}:review:{repo}:{payload['id']}",
        "pr_id": pid,
        "identity_id": identity_id(payload.get("user")),
        "state": payload["state"],
        "submitted_at": when(payload["submitted_at"]),
    }


def ai_signals(pid: str, pull: dict, author: dict, commits: list[dict]) -> list[dict]:
    """Explicit markers of AI assistance, one signal per kind and tool with its first evidence."""
    found: dict[tuple[str, str], str] = {}

    def note(kind: str, tool: str | None, evidence: str) -> None:
        if tool:
            found.setdefault((kind, tool), evidence)

    for commit in commits:
        sha, message = commit.get("sha", "")[:7], (commit.get("commit") or {}).get("message") or ""
        for key, value in TRAILER.findall(message):
            tool = tool_named(value) or (None if key.lower() == "co-authored-by" else "unknown")
            note("trailer", tool, f"{sha} {key}: {value}")
        for line in FOOTER.findall(message):
            note("trailer", tool_named(line), f"{sha} {line.strip()}")
        note("bot_author", bot_tool(commit.get("author")), f"{sha} authored by {login(commit.get('author'))}")
    note("bot_author", bot_tool(author), f"opened by {author['login']}")
    head = ((pull.get("head") or {}).get("ref") or "").lower()
    note("branch_prefix", next((tool_named(p) for p in BRANCH_PREFIXES if head.startswith(p)), None), f"branch {head}")
    for label in pull.get("labels") or []:
        name = label["name"]
        note("label", tool_named(name) or ("unknown" if AI_LABEL.search(name) else None), f"label {name}")
    return [
        {
            "id": f"{pid}:{kind}:{tool}",
            "pr_id": pid,
            "kind": kind,
            "tool": tool,
            "confidence": "high",
            "evidence": evidence,
        }
        for (kind, tool), evidence in found.items()
    ]


def login(user: dict | None) -> str:
    return (user or {}).get("login") or GHOST


def bot_tool(user: dict | None) -> str | None:
    """The AI tool behind a bot account (``copilot-swe-agent[bot]``, ``Copilot``, ``devin-ai-integration[bot]``)."""
    if not user or not (user.get("type") == "Bot" or user.get("login", "").endswith("[bot]")):
        return None
    return tool_named(user["login"])

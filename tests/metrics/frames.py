"""Small DataFrames in the shapes ``store.reads`` returns, for the pure-function tests."""

from datetime import UTC, date, datetime

import pandas as pd

from payoff.store.reads import PR_COLUMNS


DEMO_PEOPLE, DEMO_MONTH = 60, "2026-10"  # the demo organisation the persona and CLI tests read


def ts(day: int, hour: int = 0, month: int = 10) -> pd.Timestamp:
    return pd.Timestamp(datetime(2026, month, day, hour, tzinfo=UTC))


def usage_days(rows) -> pd.DataFrame:
    """rows: (person_id, date, active_days, input_tokens, output_tokens, cost_usd)."""
    frame = pd.DataFrame(
        rows, columns=["person_id", "period", "active_days", "input_tokens", "output_tokens", "cost_usd"]
    )
    return frame.assign(requests=frame["active_days"])


def prs(rows) -> pd.DataFrame:
    """rows: dicts with pr_id, person_id and any of the PR columns; the rest get neutral values."""
    defaults = {
        "repo": "acme/api",
        "first_commit_at": pd.NaT,
        "created_at": ts(1),
        "first_review_at": pd.NaT,
        "merged_at": ts(2),
        "additions": 10,
        "deletions": 0,
        "reverts_pr_id": None,
        "bugs_caused": 0,
        "reverted": False,
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=[*PR_COLUMNS, "ai_any"])
    for column in ("first_commit_at", "created_at", "first_review_at", "merged_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def signals(rows) -> pd.DataFrame:
    """rows: (pr_id, kind, confidence)."""
    return pd.DataFrame([(p, k, "claude", c) for p, k, c in rows], columns=["pr_id", "kind", "tool", "confidence"])


def d(day: int, month: int = 10) -> date:
    return date(2026, month, day)

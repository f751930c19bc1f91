"""AI-assisted work: which merged PRs had AI help, how sure we are, and how they fared against the rest.

Two readings of "AI-assisted" are always shown side by side:

* **high confidence** — a stored high-confidence signal (commit trailer, bot author, AI branch prefix,
  AI label);
* **all signals** — any stored signal, or the *derived telemetry* signal: the PR's author had AI activity
  on the day of the PR's first commit or the day before (usage is daily, so "within 24 hours before"
  is read at day granularity). Telemetry is low confidence: an active user's every PR matches it.
"""

from datetime import timedelta

import pandas as pd

from metrics import stats
from metrics.outcomes import pr_times

STORED_KINDS = ("trailer", "bot_author", "branch_prefix", "label", "telemetry")
COVERAGE_COLUMNS = [f"coverage_{kind}" for kind in (*STORED_KINDS, "derived_telemetry")]


def derived_telemetry(prs: pd.DataFrame, usage_days: pd.DataFrame) -> pd.Series:
    """True where the PR's author had an active AI day on the day of the PR's first commit (opened, if the
    first commit is unknown) or the day before. Computed here, never stored."""
    active = set(map(tuple, usage_days.loc[usage_days["active_days"] > 0, ["person_id", "period"]].to_numpy()))
    started = prs["first_commit_at"].fillna(prs["created_at"]).dt.date
    return pd.Series(
        [(p, d) in active or (p, d - timedelta(days=1)) in active
         for p, d in zip(prs["person_id"], started, strict=True)],
        index=prs.index, dtype=bool,
    )


def with_ai_flags(prs: pd.DataFrame, signals: pd.DataFrame, usage_days: pd.DataFrame) -> pd.DataFrame:
    """Add ``signal_<kind>`` for each stored kind, ``signal_derived_telemetry``, ``ai_high`` (any
    high-confidence stored signal) and ``ai_any`` (any signal at all, derived telemetry included)."""
    frame = prs.copy()
    for kind in STORED_KINDS:
        frame[f"signal_{kind}"] = frame["pr_id"].isin(set(signals.loc[signals["kind"] == kind, "pr_id"]))
    frame["signal_derived_telemetry"] = derived_telemetry(prs, usage_days)
    frame["ai_high"] = frame["pr_id"].isin(set(signals.loc[signals["confidence"] == "high", "pr_id"]))
    frame["ai_any"] = frame["pr_id"].isin(set(signals["pr_id"])) | frame["signal_derived_telemetry"]
    return frame


def ai_share(prs: pd.DataFrame, by: str = "person_id") -> pd.DataFrame:
    """Per group, over merged PRs flagged by ``with_ai_flags``:

    * ``ai_assisted_pr_share`` = PRs with any signal / PRs merged
    * ``ai_assisted_pr_share_high`` = PRs with a high-confidence signal / PRs merged
    * ``coverage_<kind>`` = PRs carrying that signal kind / PRs merged (how much each signal sees)
    """
    columns = {"ai_any": "ai_assisted_pr_share", "ai_high": "ai_assisted_pr_share_high",
               **{f"signal_{c.removeprefix('coverage_')}": c for c in COVERAGE_COLUMNS}}
    return prs.groupby(by)[list(columns)].mean().rename(columns=columns).reset_index()


def ai_vs_other(prs: pd.DataFrame, flag: str = "ai_any") -> pd.DataFrame:
    """Outcomes of AI-assisted PRs (``flag`` true) against the other PRs of the same people and period.

    One row per side (``ai_assisted`` / ``other``) and measure, with ``n``, ``estimate``, 80 % ``low`` and
    ``high`` and ``small_sample`` (n < 10):

    * ``cycle_time_hours`` — median with an order-statistic interval
    * ``size_lines`` — median additions + deletions, same interval
    * ``bug_rate`` — share of PRs with a ``caused_by`` bug, Wilson interval
    * ``revert_rate`` — share of PRs later reverted, Wilson interval

    A difference whose intervals overlap is not evidence of a difference.
    """
    timed = pr_times(prs)
    rows = []
    for side, part in (("ai_assisted", timed[timed[flag]]), ("other", timed[~timed[flag]])):
        measures = {
            "cycle_time_hours": stats.median(part["cycle_hours"]),
            "size_lines": stats.median(part["size_lines"]),
            "bug_rate": stats.proportion(int((part["bugs_caused"] > 0).sum()), len(part)),
            "revert_rate": stats.proportion(int(part["reverted"].sum()), len(part)),
        }
        rows += [{"side": side, "measure": name, "n": i.n, **i.as_dict(), "small_sample": i.small_sample}
                 for name, i in measures.items()]
    return pd.DataFrame(rows, columns=["side", "measure", "n", "estimate", "low", "high", "small_sample"])

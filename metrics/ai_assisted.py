"""AI-assisted work: which merged PRs had AI help, how sure we are, and how they fared against the rest.

Two readings of "AI-assisted" are always shown side by side:

* **high confidence** — a stored high-confidence signal (commit trailer, bot author, AI branch prefix,
  AI label);
* **all signals** — any stored signal, or the *derived telemetry* signal: the PR's author had AI activity
  on the day of the PR's first commit or the day before (usage is daily, so "within 24 hours before"
  is read at day granularity). Telemetry is low confidence: an active user's every PR matches it.
"""

import numpy as np
import pandas as pd

from payoff.metrics import stats
from payoff.metrics.outcomes import pr_times
from payoff.metrics.periods import calendar_days

STORED_KINDS = ("trailer", "bot_author", "branch_prefix", "label", "telemetry")
COVERAGE_COLUMNS = [f"coverage_{kind}" for kind in (*STORED_KINDS, "derived_telemetry")]


def derived_telemetry(prs: pd.DataFrame, usage_days: pd.DataFrame) -> pd.Series:
    """True where the PR's author had an active AI day on the day of the PR's first commit (opened, if the
    first commit is unknown) or the day before. Computed here, never stored. ``usage_days``: ``person_id,
    period`` (day), ``active_days``."""
    active = usage_days[usage_days["active_days"] > 0]
    known = _person_days(active["person_id"], calendar_days(active["period"]))
    started = calendar_days(prs["first_commit_at"].fillna(prs["created_at"]))
    on_day = _person_days(prs["person_id"], started)
    day_before = _person_days(prs["person_id"], started - np.timedelta64(1, "D"))
    hit = pd.Series(on_day, index=prs.index).isin(known) | pd.Series(day_before, index=prs.index).isin(known)
    return hit & (on_day >= 0)  # pandas' hash-based isin: numpy's sorts and costs 20 times more here


def _person_days(person_ids: pd.Series, days: np.ndarray) -> np.ndarray:
    """One integer per (person, day): ``person_id x 2^32 + days since 1970-01-01``; -1 where the day is
    unknown, which the caller excludes (rows read from the store always have a person)."""
    keys = person_ids.to_numpy(dtype="int64") * 2**32 + days.astype("int64")
    return np.where(np.isnat(days), -1, keys)


def with_ai_flags(prs: pd.DataFrame, signals: pd.DataFrame, usage_days: pd.DataFrame) -> pd.DataFrame:
    """Add ``signal_<kind>`` for each stored kind, ``signal_derived_telemetry``, ``ai_high`` (any
    high-confidence stored signal) and ``ai_any`` (any signal at all, derived telemetry included)."""
    frame = prs.copy()
    carries = _carrying(prs["pr_id"], signals["pr_id"])
    for kind in STORED_KINDS:
        frame[f"signal_{kind}"] = carries(signals["kind"] == kind)
    frame["signal_derived_telemetry"] = derived_telemetry(prs, usage_days)
    frame["ai_high"] = carries(signals["confidence"] == "high")
    frame["ai_any"] = carries() | frame["signal_derived_telemetry"]
    return frame


def _carrying(pr_ids: pd.Series, signal_pr_ids: pd.Series):
    """``carries(which)``: per PR of ``pr_ids``, whether one of the signals selected by the boolean
    ``which`` (all when None) names it, like ``isin``. Both id columns are coded once as integers, so each
    selection is an array lookup (``isin`` on string ids costs far more)."""
    codes, distinct = pd.factorize(pd.concat([pr_ids, signal_pr_ids], ignore_index=True))
    pr_codes, signal_codes = codes[:len(pr_ids)], codes[len(pr_ids):]

    def carries(which: pd.Series | None = None) -> np.ndarray:
        named = np.zeros(len(distinct) + 1, dtype=bool)  # the last slot: a missing id (code -1)
        named[signal_codes if which is None else signal_codes[which.to_numpy(dtype=bool)]] = True
        return named[pr_codes]

    return carries


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

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
    pr_codes, signal_codes = codes[: len(pr_ids)], codes[len(pr_ids) :]

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
    columns = {
        "ai_any": "ai_assisted_pr_share",
        "ai_high": "ai_assisted_pr_share_high",
        **{f"signal_{c.removeprefix('coverage_')}": c for c in COVERAGE_COLUMNS},
    }
    return prs.groupby(by)[list(columns)].mean().rename(columns=columns).reset_index()


MIN_PEOPLE = 5  # people with PRs on both sides below which no verdict is given
RESAMPLES = 200
SEED = 20261201
COMPARISON_COLUMNS = ["side", "measure", "n", "people", "estimate", "low", "high", "small_sample", "verdict"]


def ai_vs_other(prs: pd.DataFrame, flag: str = "ai_any") -> pd.DataFrame:
    """Outcomes of AI-assisted PRs (``flag`` true) against the other PRs of the same people and period.

    Per measure, three rows: ``ai_assisted`` and ``other`` describe each side (``n`` PRs, ``people``,
    ``estimate`` with an 80 % interval: median with an order-statistic interval, or a share with a Wilson
    interval), and ``difference`` is the comparison: within each person who has PRs on both sides, AI-assisted
    minus other (the person's median or share on each side), averaged over those people weighted by
    ``n_ai x n_other / (n_ai + n_other)``; its 80 % interval comes from resampling those people. People differ
    persistently (some are faster, some cause more bugs), so PRs are never compared across people as if
    independent. ``verdict``: ``AI-assisted higher`` / ``lower`` when the interval excludes zero, ``no
    evidence of a difference`` otherwise, ``not enough people to compare`` under ``MIN_PEOPLE`` people.

    * ``cycle_time_hours`` and ``size_lines`` — medians
    * ``bug_rate`` — share of PRs with a ``caused_by`` bug; ``revert_rate`` — share later reverted
    """
    timed = pr_times(prs).assign(bug=(prs["bugs_caused"] > 0).astype(float), revert=prs["reverted"].astype(float))
    timed["ai_side"] = timed[flag].astype(bool)
    measures = {
        "cycle_time_hours": ("cycle_hours", "median"),
        "size_lines": ("size_lines", "median"),
        "bug_rate": ("bug", "mean"),
        "revert_rate": ("revert", "mean"),
    }
    rows = []
    for name, (column, how) in measures.items():
        for side, part in (("ai_assisted", timed[timed["ai_side"]]), ("other", timed[~timed["ai_side"]])):
            values = part[column]
            found = stats.median(values) if how == "median" else stats.proportion(int(values.sum()), len(values))
            rows.append(
                {
                    "side": side,
                    "measure": name,
                    "n": found.n,
                    "people": int(part["person_id"].nunique()),
                    **found.as_dict(),
                    "small_sample": found.small_sample,
                    "verdict": None,
                }
            )
        rows.append({"side": "difference", "measure": name, **_within_people(timed, column, how)})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _within_people(timed: pd.DataFrame, column: str, how: str) -> dict:
    """The weighted mean over people of (AI-assisted - other) and its interval from resampling people."""
    known = timed.dropna(subset=[column])
    per = known.groupby(["person_id", "ai_side"])[column].agg([how, "size"]).unstack("ai_side")
    both = per.dropna() if per.shape[1] == 4 else per.iloc[0:0]
    people, n = len(both), int(both["size"].to_numpy().sum()) if len(both) else 0
    out = {
        "n": n,
        "people": people,
        "estimate": None,
        "low": None,
        "high": None,
        "small_sample": people < MIN_PEOPLE,
        "verdict": f"not enough people to compare ({people} with both kinds of PR, need {MIN_PEOPLE})",
    }
    if people < MIN_PEOPLE:
        return out
    difference = (both[(how, True)] - both[(how, False)]).to_numpy(dtype=float)
    counts_ai, counts_other = both[("size", True)].to_numpy(float), both[("size", False)].to_numpy(float)
    weight = counts_ai * counts_other / (counts_ai + counts_other)
    drawn = stats.resample_people(people, RESAMPLES, SEED) * weight
    means = drawn @ difference / drawn.sum(axis=1)
    low, high = np.quantile(means[1:], [(1 - stats.LEVEL) / 2, (1 + stats.LEVEL) / 2])
    verdict = "AI-assisted higher" if low > 0 else "AI-assisted lower" if high < 0 else "no evidence of a difference"
    return out | {"estimate": float(means[0]), "low": float(low), "high": float(high), "verdict": verdict}

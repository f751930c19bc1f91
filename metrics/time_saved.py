"""Time saved: hours per week of capacity gained since a person adopted AI tools, with an 80 % interval.

Method (difference in differences, per person):

1. Weeks of the window are split at the person's **adoption week** (their first week with any AI
   activity): ``before`` and ``after``. ``before`` starts at the person's first week with any outcome or
   activity, so weeks before they joined (or before the data begins) do not pose as a low baseline.
2. ``gain = mean(units after) - mean(units before)`` — the person's change in weekly outcome units
   (quality-adjusted, see value per token).
3. ``trend = mean over non-adopters of (their mean units in the same after-weeks - in the same
   before-weeks)`` — what changed for everyone anyway (season, a release freeze, a re-org).
   Non-adopters are people with no AI activity in the window and at least one outcome unit in it.
4. ``did = gain - trend``; ``hours per week = did x hours_per_week / mean(units before)``: the extra units
   valued at the person's own baseline hours per unit.
5. 80 % interval: ``did +- 1.2816 x sqrt(se_gain^2 + se_trend^2)`` (Welch standard errors), scaled the
   same way. It ignores the uncertainty of the baseline itself, so it is if anything too narrow.
6. Estimate and bounds are capped at +- ``hours_per_week``: a small baseline (one PR a week) turns a
   multiplied output into more "saved" hours than the week has, which no one should read literally.

"Not enough data" (a reason instead of a number) when there are fewer than ``min_weeks`` weeks before or
after adoption, no outcome units before adoption, or fewer than ``min_controls`` non-adopters. Token
amounts play no part: only whether a week had AI activity at all.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from payoff.metrics import stats

MIN_WEEKS = 4
MIN_CONTROLS = 3
HOURS_PER_WEEK = 40.0

COLUMNS = ["person_id", "time_saved_estimate", "time_saved_low", "time_saved_high", "time_saved_reason",
           "weeks_before", "weeks_after", "controls", "baseline_units_per_week"]


@dataclass(frozen=True)
class Window:
    weeks: list  # Mondays, oldest first
    min_weeks: int = MIN_WEEKS
    min_controls: int = MIN_CONTROLS
    hours_per_week: float = HOURS_PER_WEEK


def _matrix(weekly: pd.DataFrame, column: str, people: list, weeks: list) -> np.ndarray:
    table = weekly.pivot_table(index="person_id", columns="week", values=column, aggfunc="sum", fill_value=0)
    return table.reindex(index=people, columns=weeks, fill_value=0).to_numpy(dtype=float)


def time_saved(weekly: pd.DataFrame, window: Window, people: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per person of ``people`` (default: everyone in ``weekly``) with the estimate, its 80 %
    interval, or the reason there is none. ``weekly``: ``person_id, week, units, active`` for the whole
    organisation (non-adopters in it are the comparison group); absent weeks count as zero units and no
    activity. Duplicated rows of the same person-week do not change ``active`` (a yes/no per week).
    """
    everyone = sorted(weekly["person_id"].unique())
    people = everyone if people is None else sorted(set(people))
    weeks = list(window.weeks)
    units = _matrix(weekly, "units", everyone, weeks)
    active = _matrix(weekly.assign(active=weekly["active"].astype(float)), "active", everyone, weeks) > 0
    adopted = active.any(axis=1)
    controls = units[~adopted & (units.sum(axis=1) > 0)]
    units, active, adopted = (_matrix_rows(m, everyone, people) for m in (units, active, adopted))
    rows, trends = [], {}  # trends: per (first week, adoption week), shared by everyone with the same two
    for row, person in enumerate(people):
        result = dict.fromkeys(COLUMNS[1:])
        result |= {"person_id": person, "controls": len(controls)}
        if not adopted[row]:
            result["time_saved_reason"] = "no AI use in the window"
            rows.append(result)
            continue
        seen = int(np.argmax((units[row] > 0) | active[row]))  # weeks before the person's first trace don't count
        start = int(np.argmax(active[row]))
        before, after = units[row, seen:start], units[row, start:]
        result |= {"weeks_before": len(before), "weeks_after": len(after)}
        result["time_saved_reason"] = _not_enough(before, after, len(controls), window)
        if result["time_saved_reason"] is None:
            if (seen, start) not in trends:
                trends[seen, start] = _trend(controls[:, seen:], start - seen)
            result |= _estimate(before, after, trends[seen, start], window)
        rows.append(result)
    return pd.DataFrame(rows, columns=COLUMNS)


def _matrix_rows(matrix: np.ndarray, everyone: list, people: list) -> np.ndarray:
    """Rows of ``matrix`` (one per person of ``everyone``) for ``people``; zeros for anyone absent."""
    position = pd.Index(everyone).get_indexer(people)
    out = np.zeros((len(people), *matrix.shape[1:]), dtype=matrix.dtype)
    out[position >= 0] = matrix[position[position >= 0]]
    return out


def _not_enough(before: np.ndarray, after: np.ndarray, controls: int, window: Window) -> str | None:
    if len(before) < window.min_weeks:
        return f"not enough data: {len(before)} weeks before adoption (need {window.min_weeks})"
    if len(after) < window.min_weeks:
        return f"not enough data: {len(after)} weeks since adoption (need {window.min_weeks})"
    if before.mean() <= 0:
        return "not enough data: no outcomes before adoption to compare with"
    if controls < window.min_controls:
        return f"not enough data: {controls} non-adopters to compare with (need {window.min_controls})"
    return None


def _trend(controls: np.ndarray, start: int) -> tuple[float, float]:
    """The non-adopters' mean change from the weeks before ``start`` to those after, and its standard error
    (``controls``: their weekly units from the person's first week on)."""
    changes = controls[:, start:].mean(axis=1) - controls[:, :start].mean(axis=1)
    se = float(changes.std(ddof=1) / math.sqrt(len(changes))) if len(changes) > 1 else 0.0
    return float(changes.mean()), se


def _estimate(before, after, trend: tuple[float, float], window: Window) -> dict:
    gain, se_gain, _ = stats.mean_difference(after, before)
    did, se = gain - trend[0], math.hypot(se_gain, trend[1])
    baseline, cap = float(before.mean()), window.hours_per_week
    per_unit = cap / baseline
    hours = lambda units: min(max(units * per_unit, -cap), cap)  # noqa: E731
    return {"time_saved_estimate": hours(did), "time_saved_low": hours(did - stats.Z * se),
            "time_saved_high": hours(did + stats.Z * se), "baseline_units_per_week": baseline}


def beside_survey(estimates: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Add ``survey_hours_saved_per_week`` (mean of the person's answers), ``survey_minus_estimate`` and
    ``survey_agreement``: ``within`` the interval, ``survey higher`` / ``survey lower``, or empty when
    either side is missing. The two are never blended: people over- and under-report."""
    answered = survey.groupby("person_id")["hours_saved"].mean()
    frame = estimates.copy()
    frame["survey_hours_saved_per_week"] = frame["person_id"].map(answered)
    frame["survey_minus_estimate"] = frame["survey_hours_saved_per_week"] - frame["time_saved_estimate"]
    columns = ["survey_hours_saved_per_week", "time_saved_estimate", "time_saved_low", "time_saved_high"]
    survey, estimate, low, high = (frame[c].astype(float) for c in columns)  # None (no estimate at all) -> NaN
    frame["survey_agreement"] = np.select(
        [survey.isna() | estimate.isna(), (low <= survey) & (survey <= high), survey > high],
        [None, "within", "survey higher"], "survey lower").tolist()
    return frame

"""Time saved: the impact model's % change in output (``metrics.impact``), stated in hours.

1. The effect is first a % change in weekly outcome units, ``gain``, with its 80 % interval (the
   impact model: a Poisson imputation event study, intervals from resampling people, a person's own
   estimate partially pooled toward the organisation's).
2. ``hours saved per week = delivery_hours x gain / (1 + gain)``: the same output in less time. With
   ``gain`` = +25 % the week's delivery work would take 1 / 1.25 of the time, so 20 % of the delivery hours
   are freed. ``delivery_hours`` is the organisation setting ``delivery_hours_per_week``. The bounds are
   converted the same way (the conversion is monotone), never capped, never averaged.

The survey's self-reported hours stay beside the estimate, never blended.
"""

import numpy as np
import pandas as pd

from payoff.metrics.impact import Estimates

COLUMNS = [
    "person_id",
    "time_saved_estimate",
    "time_saved_low",
    "time_saved_high",
    "time_saved_reason",
    "weeks_before",
    "weeks_after",
    "controls",
    "baseline_units_per_week",
    "output_gain",
    "output_gain_low",
    "output_gain_high",
]


def hours(gain, delivery_hours: float):
    """Hours a week freed by ``gain`` (a fraction; arrays too)."""
    return delivery_hours * np.asarray(gain, dtype=float) / (1 + np.asarray(gain, dtype=float))


def person_rows(estimates: Estimates, people, delivery_hours: float) -> pd.DataFrame:
    """One row per person of ``people`` (ids): hours, their interval, the gain behind them, or the reason
    there is none."""
    person = estimates.person.set_index("person_id")
    reasons = pd.Series(estimates.reasons, index=estimates.panel.people)
    frame = pd.DataFrame({"person_id": list(people)})
    ids = frame["person_id"]
    for column, source in (
        ("output_gain", "gain"),
        ("output_gain_low", "gain_low"),
        ("output_gain_high", "gain_high"),
        ("weeks_before", "weeks_before"),
        ("weeks_after", "weeks_after"),
        ("baseline_units_per_week", "baseline_units_per_week"),
    ):
        frame[column] = ids.map(person[source]) if source in person else np.nan
    for column, gain in (
        ("time_saved_estimate", "output_gain"),
        ("time_saved_low", "output_gain_low"),
        ("time_saved_high", "output_gain_high"),
    ):
        frame[column] = hours(frame[gain], delivery_hours)
    reason = ids.map(reasons).where(ids.isin(reasons.index), "no AI use in the window").astype(object)
    frame["time_saved_reason"] = reason.where(reason.notna(), None)
    frame["controls"] = estimates.comparison
    return frame[COLUMNS]


def group(estimates: Estimates, person_ids, delivery_hours: float) -> dict:
    """The adopters among ``person_ids`` together: ``time_saved_people``, ``time_saved_hours_per_week`` and
    ``output_gain`` as ``{estimate, low, high}`` (None without any estimate), and the pre-adoption
    ``placebo_gain`` beside them."""
    found = estimates.group(person_ids)
    out = {
        "time_saved_people": found["people"],
        "time_saved_hours_per_week": None,
        "output_gain": None,
        "placebo_gain": None,
    }
    if not found["people"] or found["gain"] is None:
        return out
    gain = {"estimate": found["gain"], "low": found["gain_low"], "high": found["gain_high"]}
    out["output_gain"] = gain
    out["time_saved_hours_per_week"] = {k: float(hours(v, delivery_hours)) for k, v in gain.items()}
    if found["placebo"] is not None:
        out["placebo_gain"] = {"estimate": found["placebo"], "low": found["placebo_low"], "high": found["placebo_high"]}
    return out


def beside_survey(estimates: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """Add ``survey_hours_saved_per_week`` (mean of the person's answers), ``survey_minus_estimate`` and
    ``survey_agreement``: ``within`` the interval, ``survey higher`` / ``survey lower``, ``estimate cannot
    tell`` when the interval holds both the survey's answer and zero (too wide to confirm or contradict
    it), or empty when either side is missing. The two are never blended: people over- and under-report."""
    answered = survey.groupby("person_id")["hours_saved"].mean()
    frame = estimates.copy()
    frame["survey_hours_saved_per_week"] = frame["person_id"].map(answered)
    frame["survey_minus_estimate"] = frame["survey_hours_saved_per_week"] - frame["time_saved_estimate"]
    columns = ["survey_hours_saved_per_week", "time_saved_estimate", "time_saved_low", "time_saved_high"]
    survey, estimate, low, high = (frame[c].astype(float) for c in columns)  # None (no estimate at all) -> NaN
    within = (low <= survey) & (survey <= high)
    frame["survey_agreement"] = np.select(
        [survey.isna() | estimate.isna(), within & (low <= 0) & (high >= 0), within, survey > high],
        [None, "estimate cannot tell", "within", "survey higher"],
        "survey lower",
    ).tolist()
    return frame

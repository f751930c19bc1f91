"""The load step: the store's rows for a set of people and months, read into one ``MonthData`` per month.

Everything a month's tables are computed from is read here, once; ``metrics.tables`` then assembles
every figure from it without touching the database.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session

from payoff.metrics import ai_assisted, impact
from payoff.metrics import time_saved as saved
from payoff.metrics.periods import add_months, monday, month_bounds, weeks
from payoff.metrics.settings import Config
from payoff.metrics.value import Weights, outcome_units
from payoff.store import coverage, reads

TELEMETRY_LOOKBACK = timedelta(days=31)  # first commits older than this before the month miss telemetry
TIME_SAVED_WEEKS = 52  # the window time saved looks back over, ending with the month
QUALITY_MONTHS = 3  # months (this one included) over which quality regression is judged
BASELINE_MONTHS = 3  # previous months that make a person's usage baseline


@dataclass
class MonthData:
    """Everything one month's tables are computed from, for one set of people."""

    month: str
    start: date
    end: date
    people: pd.DataFrame
    usage_days: pd.DataFrame  # active person-days, from TELEMETRY_LOOKBACK before the quality window to month end
    month_usage: pd.DataFrame  # usage (``reads.usage``, grain month) and outcome units of the month, per person
    prs: pd.DataFrame  # merged in the quality window, with AI flags
    tickets: pd.DataFrame
    bugs: pd.DataFrame
    tools: pd.DataFrame
    seats: pd.DataFrame
    survey: pd.DataFrame
    runs: pd.DataFrame
    history: pd.DataFrame  # monthly usage + outcome units over the baseline months
    reference_bad_rate: float
    time_saved: pd.DataFrame
    config: Config
    impact_fit: impact.Estimates | None = None  # the organisation's impact model as of the month's end
    # everyone's monthly tokens and outcome units over the quality window, and everyone's PRs of the month:
    # the peers waste signals compare with (None: the people loaded are the peers)
    peer_monthly: pd.DataFrame | None = None
    peer_prs: pd.DataFrame | None = None

    @property
    def month_days(self) -> pd.DataFrame:
        return self.usage_days[self.usage_days["period"] >= self.start]

    @property
    def month_prs(self) -> pd.DataFrame:
        return self.prs[self.prs["merged_at"].dt.date >= self.start]


def load_month(
    session: Session, month: str, person_ids: Iterable[int] | None = None, *, with_time_saved: bool = True
) -> MonthData:
    """Read what ``month``'s metrics need for ``person_ids`` (everyone if None). Time saved and value per
    token come from the whole organisation's impact model; ``with_time_saved=False`` skips it (their
    columns stay empty)."""
    return load_months(session, [month], person_ids, with_time_saved=with_time_saved)[0]


def load_months(
    session: Session, months: list[str], person_ids: Iterable[int] | None = None, *, with_time_saved: bool = True
) -> list[MonthData]:
    """``load_month`` for each of ``months`` (consecutive or not), reading each window-shaped input once
    for all of them: time saved's weekly outcomes (52-week windows that overlap almost entirely), the PRs
    of the quality windows with the active days around them, the monthly history and the organisation's
    reference bug rate are read over the months' whole span and cut per month."""
    ids = None if person_ids is None else sorted(set(person_ids))
    config = Config.load(session)
    bounds = [month_bounds(month) for month in months]
    if with_time_saved:
        fits = impact_fits(session, [end for _, end in bounds], config)
        everyone = ids if ids is not None else reads.people(session)["person_id"]
        estimates = [saved.person_rows(fit, everyone, config.delivery_hours_per_week) for fit in fits]
    else:
        fits = [None] * len(months)
        estimates = [pd.DataFrame({"person_id": ids or []}).reindex(columns=saved.COLUMNS)] * len(months)
    first, last = min(start for start, _ in bounds), max(end for _, end in bounds)
    quality_start = add_months(first, 1 - QUALITY_MONTHS)
    span = {"end": last, "person_ids": ids}
    usage_days = reads.active_days(session, start=quality_start - TELEMETRY_LOOKBACK, **span)
    prs = ai_assisted.with_ai_flags(
        reads.pull_requests(session, start=quality_start, **span),
        reads.ai_signals(session, start=quality_start, **span),
        usage_days,
    )
    shared = {
        "people": reads.people(session, ids),
        "seats": reads.seats(session, ids),
        "usage_days": usage_days,
        "prs": prs,
        "monthly": _monthly(session, add_months(first, -BASELINE_MONTHS), last, ids, config.weights),
        "reference": reads.unsignalled_pr_quality(session, start=quality_start, end=last),
    }
    # the peers are everyone, whoever the page is about
    shared["peer_monthly"] = (
        shared["monthly"] if ids is None else _monthly(session, quality_start, last, None, config.weights)
    )
    shared["peer_prs"] = prs if ids is None else reads.pull_requests(session, start=first, end=last)
    return [
        replace(_read_month(session, month, ids, config, time_saved, shared), impact_fit=fit)
        for month, time_saved, fit in zip(months, estimates, fits, strict=True)
    ]


def _read_month(
    session: Session,
    month: str,
    ids: list[int] | None,
    config: Config,
    time_saved: pd.DataFrame,
    shared: dict[str, pd.DataFrame],
) -> MonthData:
    """One month: its own small reads, and its cut of the frames ``load_months`` read for every month."""
    start, end = month_bounds(month)
    quality_start = add_months(start, 1 - QUALITY_MONTHS)
    span = {"start": start, "end": end, "person_ids": ids}
    days, prs, monthly = shared["usage_days"], shared["prs"], shared["monthly"]
    reference = shared["reference"]
    reference = reference[(reference["month"] >= quality_start) & (reference["month"] < end)]
    total, bad = int(reference["prs"].sum()), int(reference["failed"].sum())
    merged = prs["merged_at"].dt.date
    return MonthData(
        month=month,
        start=start,
        end=end,
        people=shared["people"],
        usage_days=days[(days["period"] >= quality_start - TELEMETRY_LOOKBACK) & (days["period"] < end)],
        month_usage=monthly[monthly["period"] == start],
        prs=prs[(merged >= quality_start) & (merged < end)],
        tickets=reads.tickets_closed(session, **span),
        bugs=reads.bugs_opened(session, **span),
        tools=reads.tools_used(session, **span),
        seats=shared["seats"],
        survey=reads.survey(session, **span),
        runs=reads.agent_repeats(session, **span),
        history=monthly[(monthly["period"] >= add_months(start, -BASELINE_MONTHS)) & (monthly["period"] < start)][
            ["person_id", "period", "tokens", "outcome_units"]
        ],
        reference_bad_rate=bad / total if total else 0.0,
        time_saved=time_saved,
        config=config,
        peer_monthly=shared["peer_monthly"][
            (shared["peer_monthly"]["period"] >= quality_start) & (shared["peer_monthly"]["period"] < end)
        ],
        peer_prs=shared["peer_prs"][
            (shared["peer_prs"]["merged_at"].dt.date >= start) & (shared["peer_prs"]["merged_at"].dt.date < end)
        ],
    )


def _units(
    session: Session, start: date, end: date, ids, weights: Weights, grain: reads.Grain, parts: bool = False
) -> pd.DataFrame:
    frame = reads.outcomes(
        session,
        start=start,
        end=end,
        person_ids=ids,
        grain=grain,
        parts=parts,
        full_lines=weights.full_lines,
        floor=weights.size_floor,
    )
    return frame.assign(outcome_units=outcome_units(frame, weights))


def _monthly(session: Session, start: date, end: date, ids, weights: Weights) -> pd.DataFrame:
    """Per person and month: the usage columns of ``reads.usage``, ``tokens`` and ``outcome_units`` (a
    month's own usage, and the history its baseline is taken from)."""
    used = reads.usage(session, start=start, end=end, person_ids=ids, grain="month")
    used = used.assign(tokens=used["input_tokens"] + used["output_tokens"])
    units = _units(session, start, end, ids, weights, "month")[["person_id", "period", "outcome_units"]]
    frame = used.merge(units, on=["person_id", "period"], how="outer").fillna(0)
    return frame.astype(used.dtypes.to_dict())


def impact_fits(session: Session, ends: list[date], config: Config) -> list[impact.Estimates]:
    """The whole organisation's impact model as of each of ``ends`` (a person's estimate is pooled toward
    the organisation's, so it is the same on every page that shows it). A window starts with the week
    every outcome source covers: weeks before a source's first synced day would pass for weeks without
    output."""
    since = coverage.outcome_sources_since(session)
    windows = [
        weeks(max(end - timedelta(weeks=TIME_SAVED_WEEKS), monday(since) if since else date.min), end) for end in ends
    ]
    first, last = min(w[0] if w else e for w, e in zip(windows, ends, strict=True)), max(ends)
    # Read once for every window, in week parts: a window ends with its month, so its last week keeps
    # only the part before the month's end.
    keys = ["person_id", "period", "month"]
    active = reads.usage(session, start=first, end=last, grain="week", parts=True)
    units = _units(session, first, last, None, config.weights, "week", parts=True)
    weekly = (
        active[[*keys, "active_days"]]
        .merge(units.rename(columns={"outcome_units": "units"})[[*keys, "units"]], on=keys, how="outer")
        .fillna(0)
        .rename(columns={"period": "week"})
    )
    weekly["active"] = weekly["active_days"] > 0
    week, month = pd.to_datetime(weekly["week"]), pd.to_datetime(weekly["month"])
    part_start = month.where(month > week, week)
    fits = []
    for window, end in zip(windows, ends, strict=True):
        inside = weekly[weekly["week"].isin(window) & (part_start < pd.Timestamp(end))]
        month_weeks = [w for w in window if w >= add_months(end, -1)]
        fits.append(impact.estimate(impact.Panel.from_weekly(inside, window, month_weeks)))
    return fits

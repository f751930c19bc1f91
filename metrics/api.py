"""The metrics API the app and the exports call: a few stable functions over a session.

Access control is the caller's: pass the person ids the viewer may see (``app.access`` decides). The
functions load what they need through ``store.reads`` and compute with the pure metric functions, so
the same numbers reach the dashboard, the monthly review and ``payoff metrics``. Documented in
docs/metrics.md ("API for the app"); extend, do not change, these signatures.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

import pandas as pd
from sqlmodel import Session

from payoff.metrics import adoption, ai_assisted, impact, outcomes, usage, waste
from payoff.metrics import time_saved as saved
from payoff.metrics.cards import CARDS, Card
from payoff.metrics.periods import add_months, monday, month_bounds, weeks
from payoff.metrics.suppression import suppress
from payoff.metrics.value import Weights, outcome_units, partial_month_from, spend, value_per_token
from payoff.store import coverage, org_settings, reads

TELEMETRY_LOOKBACK = timedelta(days=31)  # first commits older than this before the month miss telemetry
TIME_SAVED_WEEKS = 52  # the window time saved looks back over, ending with the month
QUALITY_MONTHS = 3  # months (this one included) over which quality regression is judged
BASELINE_MONTHS = 3  # previous months that make a person's usage baseline

# The documented keys first (docs/metrics.md), then every other column.
LEADING = ["period", "person_id", "email", "name", "team", "month", "input_tokens", "output_tokens", "cost_usd",
           "prs_merged", "pr_cycle_time_hours", "tickets_closed", "bugs_opened", "ai_assisted_pr_share",
           "value_per_million_tokens", "time_saved_hours_per_week", "survey_hours_saved_per_week", "flags"]
COUNTS = ["input_tokens", "output_tokens", "tokens", "unused_seats", "prs_merged", "reverts", "prs_buggy",
          "tickets_closed", "tickets_without_points", "bugs_fixed", "bugs_opened", "people", "active_people",
          "time_saved_people", "value_people", "weeks_before", "weeks_after", "controls"]
GROUP_SUMS = ["input_tokens", "output_tokens", "tokens", "cost_usd", "unused_seats", "unused_seat_cost_usd",
              "prs_merged", "reverts", "prs_buggy", "tickets_closed", "tickets_without_points", "story_points",
              "bugs_fixed", "bugs_opened", "outcome_units"]


@dataclass(frozen=True)
class Config:
    """The organisation settings the metrics depend on."""

    weights: Weights
    adoption_target: float
    min_group_size: int
    delivery_hours_per_week: float

    @classmethod
    def load(cls, session: Session) -> "Config":
        s = org_settings.get_all(session)
        return cls(Weights.from_setting(s["value_weights"]), float(s["adoption_target"]),
                   int(s["min_group_size"]), float(s["delivery_hours_per_week"]))


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


def load_month(session: Session, month: str, person_ids: Iterable[int] | None = None, *,
               with_time_saved: bool = True) -> MonthData:
    """Read what ``month``'s metrics need for ``person_ids`` (everyone if None). Time saved compares with
    the whole organisation's weekly outcomes; ``with_time_saved=False`` skips it (its columns stay empty)."""
    return load_months(session, [month], person_ids, with_time_saved=with_time_saved)[0]


def load_months(session: Session, months: list[str], person_ids: Iterable[int] | None = None, *,
                with_time_saved: bool = True) -> list[MonthData]:
    """``load_month`` for each of ``months`` (consecutive or not), reading each window-shaped input once
    for all of them: time saved's weekly outcomes (52-week windows that overlap almost entirely), the PRs
    of the quality windows with the active days around them, the monthly history and the organisation's
    reference bug rate are read over the months' whole span and cut per month."""
    ids = None if person_ids is None else sorted(set(person_ids))
    config = Config.load(session)
    bounds = [month_bounds(month) for month in months]
    if with_time_saved:
        fits = _impact(session, [end for _, end in bounds], config)
        estimates = [saved.person_rows(fit, ids if ids is not None else reads.people(session)["person_id"],
                                       config.delivery_hours_per_week) for fit in fits]
    else:
        fits = [None] * len(months)
        estimates = [pd.DataFrame({"person_id": ids or []}).reindex(columns=saved.COLUMNS)] * len(months)
    first, last = min(start for start, _ in bounds), max(end for _, end in bounds)
    quality_start = add_months(first, 1 - QUALITY_MONTHS)
    span = {"end": last, "person_ids": ids}
    usage_days = reads.active_days(session, start=quality_start - TELEMETRY_LOOKBACK, **span)
    prs = ai_assisted.with_ai_flags(reads.pull_requests(session, start=quality_start, **span),
                                    reads.ai_signals(session, start=quality_start, **span), usage_days)
    shared = {
        "people": reads.people(session, ids), "seats": reads.seats(session, ids), "usage_days": usage_days,
        "prs": prs, "monthly": _monthly(session, add_months(first, -BASELINE_MONTHS), last, ids, config.weights),
        "reference": reads.unsignalled_pr_quality(session, start=quality_start, end=last),
    }
    # the peers are everyone, whoever the page is about
    shared["peer_monthly"] = (shared["monthly"] if ids is None
                              else _monthly(session, quality_start, last, None, config.weights))
    shared["peer_prs"] = prs if ids is None else reads.pull_requests(session, start=first, end=last)
    return [replace(_read_month(session, month, ids, config, time_saved, shared), impact_fit=fit)
            for month, time_saved, fit in zip(months, estimates, fits, strict=True)]


def _read_month(session: Session, month: str, ids: list[int] | None, config: Config, time_saved: pd.DataFrame,
                shared: dict[str, pd.DataFrame]) -> MonthData:
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
        month=month, start=start, end=end, people=shared["people"],
        usage_days=days[(days["period"] >= quality_start - TELEMETRY_LOOKBACK) & (days["period"] < end)],
        month_usage=monthly[monthly["period"] == start], prs=prs[(merged >= quality_start) & (merged < end)],
        tickets=reads.tickets_closed(session, **span), bugs=reads.bugs_opened(session, **span),
        tools=reads.tools_used(session, **span), seats=shared["seats"], survey=reads.survey(session, **span),
        runs=reads.agent_repeats(session, **span),
        history=monthly[(monthly["period"] >= add_months(start, -BASELINE_MONTHS)) & (monthly["period"] < start)]
        [["person_id", "period", "tokens", "outcome_units"]],
        reference_bad_rate=bad / total if total else 0.0, time_saved=time_saved, config=config,
        peer_monthly=shared["peer_monthly"][(shared["peer_monthly"]["period"] >= quality_start)
                                            & (shared["peer_monthly"]["period"] < end)],
        peer_prs=shared["peer_prs"][(shared["peer_prs"]["merged_at"].dt.date >= start)
                                    & (shared["peer_prs"]["merged_at"].dt.date < end)],
    )


def _units(session: Session, start: date, end: date, ids, weights: Weights, grain: reads.Grain,
           parts: bool = False) -> pd.DataFrame:
    frame = reads.outcomes(session, start=start, end=end, person_ids=ids, grain=grain, parts=parts,
                           full_lines=weights.full_lines, floor=weights.size_floor)
    return frame.assign(outcome_units=outcome_units(frame, weights))


def _monthly(session: Session, start: date, end: date, ids, weights: Weights) -> pd.DataFrame:
    """Per person and month: the usage columns of ``reads.usage``, ``tokens`` and ``outcome_units`` (a
    month's own usage, and the history its baseline is taken from)."""
    used = reads.usage(session, start=start, end=end, person_ids=ids, grain="month")
    used = used.assign(tokens=used["input_tokens"] + used["output_tokens"])
    units = _units(session, start, end, ids, weights, "month")[["person_id", "period", "outcome_units"]]
    frame = used.merge(units, on=["person_id", "period"], how="outer").fillna(0)
    return frame.astype(used.dtypes.to_dict())


def _impact(session: Session, ends: list[date], config: Config) -> list[impact.Estimates]:
    """The whole organisation's impact model as of each of ``ends`` (a person's estimate is pooled toward
    the organisation's, so it is the same on every page that shows it). A window starts with the week
    every outcome source covers: weeks before a source's first synced day would pass for weeks without
    output."""
    since = coverage.outcome_sources_since(session)
    windows = [weeks(max(end - timedelta(weeks=TIME_SAVED_WEEKS), monday(since) if since else date.min), end)
               for end in ends]
    first, last = min(w[0] if w else e for w, e in zip(windows, ends, strict=True)), max(ends)
    # Read once for every window, in week parts: a window ends with its month, so its last week keeps
    # only the part before the month's end.
    keys = ["person_id", "period", "month"]
    active = reads.usage(session, start=first, end=last, grain="week", parts=True)
    units = _units(session, first, last, None, config.weights, "week", parts=True)
    weekly = (active[[*keys, "active_days"]]
              .merge(units.rename(columns={"outcome_units": "units"})[[*keys, "units"]], on=keys, how="outer")
              .fillna(0)
              .rename(columns={"period": "week"}))
    weekly["active"] = weekly["active_days"] > 0
    week, month = pd.to_datetime(weekly["week"]), pd.to_datetime(weekly["month"])
    part_start = month.where(month > week, week)
    fits = []
    for window, end in zip(windows, ends, strict=True):
        inside = weekly[weekly["week"].isin(window) & (part_start < pd.Timestamp(end))]
        month_weeks = [w for w in window if w >= add_months(end, -1)]
        fits.append(impact.estimate(impact.Panel.from_weekly(inside, window, month_weeks)))
    return fits


def signals(data: MonthData, totals: pd.DataFrame | None = None) -> dict[int, list[waste.Signal]]:
    """Every person's waste signals for the month, with evidence (``totals``: ``_person_totals(data)`` when
    the caller has it already). Tokens per unit and PR sizes are compared with everyone's (the peers)."""
    totals = _person_totals(data) if totals is None else totals
    month = totals[["person_id", "tokens", "cost_usd", "outcome_units"]].rename(columns={"outcome_units": "units"})
    columns = ["person_id", "period", "tokens", "outcome_units"]
    quality_start = add_months(data.start, 1 - QUALITY_MONTHS)
    own = pd.concat([data.history[data.history["period"] >= quality_start][columns],
                     data.month_usage[columns]], ignore_index=True)
    peer_monthly = own if data.peer_monthly is None else data.peer_monthly
    peer_prs = data.month_prs if data.peer_prs is None else data.peer_prs
    return waste.combine(
        waste.spend_without_outcomes(month),
        waste.repetitive_agent_runs(data.runs, data.month_prs),
        waste.usage_decoupled(own, waste.tokens_per_unit(peer_monthly), data.start),
        waste.pr_slicing(outcomes.pr_times(data.month_prs), outcomes.pr_times(peer_prs)),
        waste.quality_regression(data.prs, data.reference_bad_rate),
    )


def _person_totals(data: MonthData) -> pd.DataFrame:
    """One row per person: every per-person metric of the month (no identity columns)."""
    frame = _by_person(data.people[["person_id"]])
    people_weeks = weeks(data.start, data.end)
    month_prs = data.month_prs  # a filter over the whole quality window's PRs
    parts = [
        adoption.person_adoption(data.month_days, frame["person_id"], people_weeks),
        usage.usage_totals(data.month_usage),
        usage.unused_seats(data.seats, data.tools, data.start, data.end),
        outcomes.pr_outcomes(month_prs),
        ai_assisted.ai_share(month_prs),
        outcomes.ticket_outcomes(data.tickets),
        outcomes.bugs_opened(data.bugs),
    ]
    for part in parts:
        frame = frame.merge(_by_person(part), on="person_id", how="left")
    counts = [c for c in GROUP_SUMS if c != "outcome_units"]
    frame[counts] = frame[counts].fillna(0)
    used = frame["person_id"].map(adoption.tools(data.tools))
    frame["tools"] = used.apply(lambda t: t if isinstance(t, list) else [])
    month_units = data.month_usage.set_index("person_id")["outcome_units"]
    frame["outcome_units"] = frame["person_id"].map(month_units).fillna(0.0)
    partial = frame["person_id"].map(partial_month_from(data.usage_days, data.start))
    frame["value_partial_from"] = partial
    extra = _extra_units(data, frame["person_id"])
    frame["extra_outcome_units"] = extra["estimate"]
    value = value_per_token(extra, spend(frame["tokens"], frame["cost_usd"]))
    return pd.concat([frame, value.where(partial.isna(), axis=0)], axis=1)


def _extra_units(data: MonthData, person_ids: pd.Series) -> pd.DataFrame:
    """Per person: the month's extra outcome units the impact model attributes to AI (``estimate, low,
    high``) = imputed units of the month's treated weeks x the person's pooled gain and its bounds."""
    frame = pd.DataFrame(index=person_ids.index, columns=["estimate", "low", "high"], dtype=float)
    if data.impact_fit is None:
        return frame
    expected = person_ids.map(pd.Series(data.impact_fit.month_expected, index=data.impact_fit.panel.people))
    gains = data.time_saved.set_index("person_id")
    for column, gain in (("estimate", "output_gain"), ("low", "output_gain_low"), ("high", "output_gain_high")):
        frame[column] = expected * person_ids.map(gains[gain]).astype(float)
    return frame


def _by_person(frame: pd.DataFrame) -> pd.DataFrame:
    """Person ids as integers, so that frames merge even when one of them is empty (and so untyped)."""
    return frame.astype({"person_id": "int64"})


def person_table(data: MonthData) -> pd.DataFrame:
    """The per-person month table from loaded data (see ``person_month``)."""
    frame = _by_person(data.people[["person_id", "email", "name", "team"]].assign(month=data.month))
    totals = _person_totals(data)
    frame = frame.merge(totals, on="person_id", how="left")
    found = signals(data, totals)
    frame["flags"] = [[s.name for s in found.get(p, [])] for p in frame["person_id"].tolist()]
    estimates = saved.beside_survey(data.time_saved, data.survey)
    frame = frame.merge(_by_person(estimates), on="person_id", how="left")
    frame["time_saved_hours_per_week"] = _intervals(frame)
    return _tidy(frame)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Documented keys first; counts as whole numbers (nullable where a count can be unknown)."""
    for column in set(COUNTS) & set(frame.columns):
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    leading = [c for c in LEADING if c in frame.columns]
    return frame[leading + [c for c in frame.columns if c not in leading]]


def _intervals(frame: pd.DataFrame) -> list[dict[str, float] | None]:
    """Per row, ``{"estimate", "low", "high"}`` of the time-saved estimate, None without one."""
    columns = (frame[c].tolist() for c in ("time_saved_estimate", "time_saved_low", "time_saved_high"))
    return [{"estimate": estimate, "low": low, "high": high} if known else None
            for known, estimate, low, high in zip(frame["time_saved_estimate"].notna(), *columns, strict=True)]


def group_table(data: MonthData, by: str = "team", persons: pd.DataFrame | None = None) -> pd.DataFrame:
    """The per-group month table from loaded data (see ``team_month``), before suppression.

    Sums add up members; medians and shares pool the group's PRs. Time saved and value per token come from
    the impact model for the group's adopters together (``_impact_by_group``). ``persons``:
    ``person_table(data)`` when the caller has it already (a page showing both tables builds it once; it is
    the larger part of the cost).
    """
    persons = person_table(data) if persons is None else persons.copy()
    people = data.people[["person_id", by]].fillna({by: "(no team)"})
    persons[by] = persons["person_id"].map(people.set_index("person_id")[by])
    grouped = persons.groupby(by)
    frame = grouped[GROUP_SUMS].sum()
    prs = data.month_prs.merge(people, on="person_id")
    adopted = adoption.group_adoption(persons, by, data.config.adoption_target).set_index(by)
    pooled = outcomes.pr_outcomes(prs, by).set_index(by).drop(columns=GROUP_SUMS, errors="ignore")
    frame = frame.join(adopted).join(pooled)
    frame = frame.join(ai_assisted.ai_share(prs, by).set_index(by))
    frame = frame.join(_impact_by_group(data, persons, by))
    frame["survey_hours_saved_per_week"] = grouped["survey_hours_saved_per_week"].mean()
    frame["flags"] = [[] for _ in range(len(frame))]  # signals are personal; groups never carry them
    return _tidy(frame.reset_index().assign(month=data.month))


def org_table(data: MonthData) -> pd.DataFrame:
    """The one-row table of all of ``data``'s people together (see ``org_month``), before suppression."""
    return group_table(replace(data, people=data.people.assign(team="(all)")), "team")


def _impact_by_group(data: MonthData, persons: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group, from the impact model over its adopters together: ``time_saved_people``,
    ``time_saved_hours_per_week``, ``output_gain`` and ``placebo_gain`` (``{estimate, low, high}`` or None),
    and value per token = the group's gain x its members' imputed units of the month / their tokens
    (``value_people`` members: those with an estimate, outside a partial month)."""
    rows = {}
    for name, members in persons.groupby(by):
        if data.impact_fit is None:
            rows[name] = {"time_saved_people": 0, "value_people": 0}
            continue
        estimated = members[members["time_saved_estimate"].notna()]
        row = saved.group(data.impact_fit, estimated["person_id"], data.config.delivery_hours_per_week)
        counted = estimated[estimated["value_partial_from"].isna()]
        found = data.impact_fit.group(counted["person_id"])
        row["value_people"] = found["people"]
        if found["people"] and found["gain"] is not None:
            expected = pd.Series(data.impact_fit.month_expected, index=data.impact_fit.panel.people)
            month = float(expected.reindex(counted["person_id"]).sum())
            extra = pd.DataFrame({"estimate": [found["gain"] * month], "low": [found["gain_low"] * month],
                                  "high": [found["gain_high"] * month]})
            spent = spend(counted["tokens"], counted["cost_usd"]).sum(min_count=1).to_frame().T
            row |= {"extra_outcome_units": extra["estimate"].iloc[0],
                    **value_per_token(extra, spent).iloc[0].to_dict()}
        rows[name] = row
    columns = ["time_saved_people", "time_saved_hours_per_week", "output_gain", "placebo_gain", "value_people",
               "extra_outcome_units", "value_per_million_tokens", "value_per_million_tokens_low",
               "value_per_million_tokens_high", "value_per_100_usd"]
    return pd.DataFrame([rows[name] for name in rows], index=pd.Index(list(rows), name=by), columns=columns)


# ---- the stable API ---------------------------------------------------------------------------------


def person_month(session: Session, *, month: str, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per person for ``month`` ("YYYY-MM"): identity, adoption, usage, outcomes, AI-assisted
    share, value per token, time saved beside survey hours, and ``flags`` (waste signal names)."""
    return person_table(load_month(session, month, person_ids))


def team_month(
    session: Session, *, month: str, person_ids: Iterable[int] | None = None, k: int | None = None,
    individuals_visible: bool = False,
) -> pd.DataFrame:
    """One row per team of ``person_ids`` for ``month``; figures of teams under ``k`` people (default: the
    min_group_size setting) are blanked unless ``individuals_visible`` (``suppressed`` says which)."""
    data = load_month(session, month, person_ids)
    k = data.config.min_group_size if k is None else k
    return suppress(group_table(data, "team"), k=k, individuals_visible=individuals_visible)


def org_month(
    session: Session, *, month: str, person_ids: Iterable[int] | None = None, k: int | None = None,
    individuals_visible: bool = False,
) -> pd.DataFrame:
    """One row for ``person_ids`` taken together (the whole organisation when None), with the team table's
    columns and ``team`` = "(all)"; suppressed like a team under ``k`` people."""
    data = load_month(session, month, person_ids)
    k = data.config.min_group_size if k is None else k
    return suppress(org_table(data), k=k, individuals_visible=individuals_visible)


def waste_signals(session: Session, *, month: str, person_id: int) -> list[waste.Signal]:
    """The person's waste signals for ``month``, each with ``name`` and ``evidence``."""
    return signals(load_month(session, month, [person_id], with_time_saved=False)).get(person_id, [])


def time_saved(session: Session, *, month: str, person_id: int) -> dict[str, Any]:
    """The person's time saved as of ``month``'s end: ``estimate, low, high`` (hours/week, or None with
    ``reason``), ``weeks_before, weeks_after, controls, baseline_units_per_week`` and, beside it,
    ``survey_hours_saved_per_week, survey_minus_estimate, survey_agreement``."""
    start, end = month_bounds(month)
    config = Config.load(session)
    row = saved.beside_survey(saved.person_rows(_impact(session, [end], config)[0], [person_id],
                                                config.delivery_hours_per_week),
                              reads.survey(session, start=start, end=end, person_ids=[person_id])).iloc[0]
    names = {"time_saved_estimate": "estimate", "time_saved_low": "low", "time_saved_high": "high",
             "time_saved_reason": "reason"}
    return {names.get(k, k): _plain(v) for k, v in row.items() if k != "person_id"}


def ai_vs_other(session: Session, *, month: str, person_ids: Iterable[int] | None = None,
                flag: Literal["ai_any", "ai_high"] = "ai_any") -> pd.DataFrame:
    """AI-assisted vs other PRs of ``person_ids`` over ``month`` and the two months before it, with 80 %
    intervals (columns ``side, measure, n, estimate, low, high, small_sample``)."""
    return ai_assisted.ai_vs_other(load_month(session, month, person_ids, with_time_saved=False).prs, flag)


def trend(
    session: Session, *, person_ids: Iterable[int] | None, end_month: str, months: int = 6,
    grain: Literal["month", "week"] = "month", k: int | None = None, individuals_visible: bool = True,
) -> pd.DataFrame:
    """The group of ``person_ids`` over the ``months`` months ending with ``end_month``, one row per month or
    week (``period``): ``people, active_people, tokens, cost_usd, prs_merged, reverts, prs_buggy,
    tickets_closed, story_points, bugs_fixed, outcome_units, pr_cycle_time_hours, ai_assisted_pr_share_high``
    (AI share from stored signals only: the telemetry signal needs daily usage, too heavy for long trends;
    no value per token, which needs the impact model the month tables carry). Blanked when fewer than ``k``
    people and not ``individuals_visible``."""
    ids = None if person_ids is None else sorted(set(person_ids))
    end = month_bounds(end_month)[1]
    start = add_months(end, -months)
    config = Config.load(session)
    used = reads.usage(session, start=start, end=end, person_ids=ids, grain=grain)
    units = _units(session, start, end, ids, config.weights, grain)
    prs = reads.pull_requests(session, start=start, end=end, person_ids=ids)
    high = set(reads.ai_signals(session, start=start, end=end, person_ids=ids).query("confidence == 'high'")["pr_id"])
    periods = _periods(start, end, grain)
    frame = pd.DataFrame({"period": periods})
    frame["people"] = len(ids) if ids is not None else len(reads.people(session))
    used = used.assign(tokens=used["input_tokens"] + used["output_tokens"], active=used["active_days"] > 0)
    frame = frame.merge(used.groupby("period").agg(active_people=("active", "sum"), tokens=("tokens", "sum"),
                                                   cost_usd=("cost_usd", "sum")), on="period", how="left")
    sums = ["prs_merged", "reverts", "prs_buggy", "tickets_closed", "story_points", "bugs_fixed", "outcome_units"]
    frame = frame.merge(units.groupby("period")[sums].sum(), on="period", how="left").fillna(0)
    prs = outcomes.pr_times(prs).assign(period=_period_of(prs["merged_at"].dt.date, grain),
                                        ai_high=prs["pr_id"].isin(high))
    per_period = prs.groupby("period").agg(pr_cycle_time_hours=("cycle_hours", "median"),
                                           ai_assisted_pr_share_high=("ai_high", "mean"))
    frame = frame.merge(per_period, on="period", how="left")
    k = config.min_group_size if k is None else k
    return suppress(_tidy(frame), k=k, individuals_visible=individuals_visible)


def _periods(start: date, end: date, grain: str) -> list[date]:
    if grain == "week":
        return weeks(start - timedelta(days=6), end)
    count = (end.year - start.year) * 12 + end.month - start.month
    return [add_months(start, n) for n in range(count)]


def _period_of(days: pd.Series, grain: str) -> pd.Series:
    if grain == "week":
        return days.map(lambda d: d - timedelta(days=d.weekday()))
    return days.map(lambda d: d.replace(day=1))


def cards() -> tuple[Card, ...]:
    """The definition cards, in display order."""
    return CARDS


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar: NaN -> None, numpy numbers -> Python numbers."""
    if isinstance(value, (list, dict)) or value is None:
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def as_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (NaN -> None), ready for JSON, CSV and templates."""
    names, columns = table.columns.tolist(), [_plain_column(table.iloc[:, i]) for i in range(table.shape[1])]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _plain_column(column: pd.Series) -> list[Any]:
    """``_plain`` of each value of ``column``; numbers, booleans and strings converted for the whole column
    at once (``astype(object)`` gives Python scalars), the rest (lists, dicts, dates) value by value."""
    if pd.api.types.is_numeric_dtype(column) or isinstance(column.dtype, pd.StringDtype):
        return column.astype(object).where(column.notna(), None).tolist()
    return [_plain(value) for value in column.tolist()]

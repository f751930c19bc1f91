"""Months and weeks: the periods every metric is reported for (UTC dates, weeks start on Monday)."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from pandas.api.extensions import take


def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-10"`` -> (2026-10-01, 2026-11-01): the month as a half-open date range."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except ValueError as error:
        raise ValueError(f"month must look like YYYY-MM, got {month!r}") from error
    return start, add_months(start, 1)


def months_until(month: str, count: int) -> list[str]:
    """``count`` months ("YYYY-MM") ending with ``month``, oldest first."""
    start = month_bounds(month)[0]
    return [f"{add_months(start, n):%Y-%m}" for n in range(1 - count, 1)]


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before, if negative) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(start: date, end: date) -> list[date]:
    """Mondays of the weeks that start in ``[start, end)``; a week belongs to the month it starts in."""
    first = monday(start)
    if first < start:
        first += timedelta(days=7)
    return [first + timedelta(days=7 * n) for n in range(max(0, (end - first).days + 6) // 7)]


def calendar_days(values: pd.Series) -> np.ndarray:
    """Each value's calendar day as ``datetime64[D]`` (NaT where missing), for vectorised day arithmetic.

    ``values``: ``datetime.date`` objects, or timestamps, whose wall-clock date is taken (as ``.dt.date``
    reads it). Dates are converted once per distinct day: a column of person-days repeats a few hundred.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return stamps.to_numpy().astype("datetime64[D]")
    codes, distinct = pd.factorize(values)
    return take(pd.to_datetime(distinct).to_numpy().astype("datetime64[D]"), codes, allow_fill=True)


def mondays(days: np.ndarray) -> np.ndarray:
    """The Monday starting each day's week, for ``datetime64[D]`` days (1970-01-01 was a Thursday)."""
    return days - (days.astype("int64") + 3) % 7

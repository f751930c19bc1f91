"""Months and weeks: the periods every metric is reported for (UTC dates, weeks start on Monday)."""

from datetime import date, timedelta


def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-10"`` -> (2026-10-01, 2026-11-01): the month as a half-open date range."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except ValueError as error:
        raise ValueError(f"month must look like YYYY-MM, got {month!r}") from error
    return start, add_months(start, 1)


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

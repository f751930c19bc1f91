"""The demo's calendar: the months it covers, working days, public holidays and working hours.

All times are UTC and derived from the period alone, so a seed gives the same rows whatever the
wall-clock time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property


def last_complete_month(today: date) -> str:
    first = today.replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> set[date]:
    """A European-style set of public holidays, so the weekly rhythm has gaps like real data."""
    easter = _easter(year)
    return {
        date(year, 1, 1),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(year, 5, 1),
        easter + timedelta(days=39),
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    }


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @classmethod
    def ending(cls, end: str, months: int) -> "Period":
        """The ``months`` whole months that end with month ``end`` (YYYY-MM)."""
        try:
            year, month = (int(part) for part in end.split("-"))
            last_first = date(year, month, 1)
        except ValueError:
            raise ValueError(f"end must look like YYYY-MM, got {end!r}") from None
        if months < 1:
            raise ValueError("months must be at least 1")
        index = year * 12 + month - 1 - (months - 1)
        first = date(index // 12, index % 12 + 1, 1)
        next_month = (last_first + timedelta(days=32)).replace(day=1)
        return cls(first, next_month - timedelta(days=1))

    @cached_property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @cached_property
    def holidays(self) -> frozenset[date]:
        return frozenset(d for y in range(self.lead_in.year, self.last.year + 1) for d in holidays(y))

    @property
    def lead_in(self) -> date:
        """Work starts four weeks early, so PRs and tickets already in flight finish in the first weeks."""
        return self.first - timedelta(days=28)

    @cached_property
    def workdays(self) -> list[date]:
        return [d for d in self.days if self.is_workday(d)]

    @cached_property
    def working_from_lead_in(self) -> list[date]:
        lead = [self.lead_in + timedelta(days=n) for n in range((self.first - self.lead_in).days)]
        return [d for d in lead if self.is_workday(d)] + self.workdays

    @property
    def start(self) -> datetime:
        return at(self.first, 0)

    @property
    def end(self) -> datetime:
        """The first instant after the period: nothing in the demo happens at or after it."""
        return at(self.last + timedelta(days=1), 0)

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_working_time(self, moment: datetime) -> datetime:
        """``moment`` if it falls in working hours (08-19 on a workday), else the next morning at 09:00."""
        day = moment.date()
        if self.is_workday(day) and 8 <= moment.hour < 19:
            return moment
        if moment.hour >= 19 or not self.is_workday(day):
            day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return max(moment, at(day, 9, moment.minute))

    def weeks_between(self, start: date, day: date) -> float:
        return (day - start).days / 7


def at(day: date, hour: int | float, minute: int = 0) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hour, minutes=minute)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())

"""How each metric key of ``payoff metrics`` reads in a review: its label and its format.

Layout only: the values come from the metrics layer untouched; this module turns them into text.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MISSING = "—"


def _number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


def _interval(value: Mapping, unit: str, digits: int) -> tuple[str, str]:
    """An estimate and, apart, its interval: ``("3.5 h/week", "80 % interval 1.7–5.0 h/week")``."""
    estimate, low, high = (value.get(k) for k in ("estimate", "low", "high"))
    if not _present(estimate):
        return "not enough data", ""
    if not (_present(low) and _present(high)):
        return f"{_number(estimate, digits)}{unit}", ""
    return f"{_number(estimate, digits)}{unit}", f"80 % interval {_number(low, digits)}–{_number(high, digits)}{unit}"


def _compact(value: Mapping, unit: str, digits: int) -> str:
    """An interval in one short cell: ``3.5 (1.7–5.0) h/week``."""
    estimate, low, high = (value.get(k) for k in ("estimate", "low", "high"))
    if not _present(estimate):
        return "not enough data"
    bounds = f" ({_number(low, digits)}–{_number(high, digits)})" if _present(low) and _present(high) else ""
    return f"{_number(estimate, digits)}{bounds}{unit}"


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    unit: str = ""
    digits: int = 0
    percent: bool = False

    def format(self, value: Any) -> str:
        if isinstance(value, Mapping):
            return _compact(value, self.unit, self.digits)
        if isinstance(value, list | tuple):
            return ", ".join(map(str, value)) or "none"
        if not _present(value):
            return MISSING
        if self.percent:
            return f"{value * 100:.{self.digits}f} %"
        return f"{_number(value, self.digits)}{self.unit}"

    def parts(self, value: Any) -> tuple[str, str]:
        """The value and a detail line (an interval's bounds) for a headline figure."""
        return _interval(value, self.unit, self.digits) if isinstance(value, Mapping) else (self.format(value), "")


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        Field("prs_merged", "PRs merged"),
        Field("pr_cycle_time_hours", "PR cycle time (median)", " h", 1),
        Field("pr_cycle_time_p75_hours", "PR cycle time (p75)", " h", 1),
        Field("coding_hours", "Coding (median)", " h", 1),
        Field("pickup_hours", "Pickup (median)", " h", 1),
        Field("review_hours", "Review (median)", " h", 1),
        Field("pr_size_lines", "PR size (median lines)"),
        Field("tickets_closed", "Tickets closed"),
        Field("story_points", "Story points", "", 1),
        Field("bugs_opened", "Bugs opened"),
        Field("bugs_fixed", "Bugs fixed"),
        Field("bug_rate", "Bug rate on merged PRs", percent=True),
        Field("reverts", "Reverted PRs"),
        Field("prs_buggy", "PRs that caused a bug"),
        Field("input_tokens", "Input tokens"),
        Field("output_tokens", "Output tokens"),
        Field("tokens", "Tokens"),
        Field("cost_usd", "AI cost (usage + seats)", " USD", 2),
        Field("usage_cost_usd", "AI usage cost", " USD", 2),
        Field("seat_cost_usd", "AI seat cost", " USD", 2),
        Field("active_days", "Active AI days"),
        Field("adopters", "People using AI"),
        Field("unused_seats", "Seats unused"),
        Field("unused_seat_cost_usd", "Cost of unused seats", " USD", 2),
        Field("ai_assisted_pr_share", "AI-assisted PRs", percent=True),
        Field("ai_assisted_pr_share_high", "AI-assisted PRs", percent=True),
        Field("value_per_million_tokens", "Value per million tokens", "", 2),
        Field("value_per_100_usd", "Value per 100 USD", "", 2),
        Field("time_saved_hours_per_week", "Time saved", " h/week", 1),
        Field("survey_hours_saved_per_week", "Self-reported time saved", " h/week", 1),
        Field("people", "People"),
        # the measures of the AI-assisted vs other comparison
        Field("cycle_time_hours", "Cycle time (median)", " h", 1),
        Field("size_lines", "PR size (median lines)"),
        Field("revert_rate", "Revert rate", percent=True),
        Field("link_coverage", "Bugs traced to a change", percent=True),
        Field("ticket_cycle_time_hours", "Ticket cycle time (median)", " h", 1),
        Field("tickets_reopened", "Tickets reopened"),
    )
}


def show(record: Mapping[str, Any], key: str, as_field: str | None = None) -> str:
    """``record[key]`` as text (formatted as the field ``as_field``, default ``key``), or "—" when the
    metrics layer gave no value."""
    return FIELDS[as_field or key].format(record.get(key))


def figure_parts(record: Mapping[str, Any], key: str) -> tuple[str, str]:
    return FIELDS[key].parts(record.get(key))


def label(key: str) -> str:
    return FIELDS[key].label


def available(records: list[Mapping[str, Any]], keys: list[str]) -> list[str]:
    """The keys that the metrics layer provides, in the order asked for."""
    return [k for k in keys if any(k in r for r in records)]

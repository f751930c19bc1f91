"""Value per token: quality-adjusted outcome units bought per million tokens and per 100 USD.

The weights are an organisation setting (``value_weights``), so a team that does not point its tickets
or does not use Jira can still weigh what it has. Only outcomes enter the numerator: spending more
can only lower the ratio unless outcomes rise with it.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from payoff.metrics.periods import calendar_days


@dataclass(frozen=True)
class Weights:
    pr: float = 1.0  # one merged PR that held up
    story_point: float = 0.5  # one story point closed
    ticket: float = 0.5  # one closed ticket that carries no story points
    bug_penalty: float = 0.5  # share of a PR's unit lost when it caused a bug (a revert loses all of it)

    @classmethod
    def from_setting(cls, value: dict[str, Any] | None) -> "Weights":
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in (value or {}).items() if k in known})


def outcome_units(outcomes: pd.DataFrame, weights: Weights) -> pd.Series:
    """``units = pr x (prs_merged - reverts - bug_penalty x prs_buggy) + story_point x story_points
    + ticket x tickets_without_points``.

    A clean PR counts ``pr``; a PR that caused a bug ``pr x (1 - bug_penalty)``; a reverted PR nothing.
    Columns missing from ``outcomes`` count as zero.
    """
    col = lambda name: outcomes[name].fillna(0) if name in outcomes else 0  # noqa: E731
    prs = col("prs_merged") - col("reverts") - weights.bug_penalty * col("prs_buggy")
    return weights.pr * prs + weights.story_point * col("story_points") + weights.ticket * col("tickets_without_points")


def value_per_token(units: pd.Series, tokens: pd.Series, cost_usd: pd.Series) -> pd.DataFrame:
    """``value_per_million_tokens = units / (tokens / 1e6)`` and ``value_per_100_usd = units / (cost / 100)``;
    empty (NaN) when nothing was spent, so non-users are neither rewarded nor penalised."""
    tokens, cost_usd = tokens.astype(float), cost_usd.astype(float)
    return pd.DataFrame({
        "value_per_million_tokens": (units / (tokens / 1e6)).where(tokens > 0),
        "value_per_100_usd": (units / (cost_usd / 100)).where(cost_usd > 0),
    })


def partial_month_from(usage_days: pd.DataFrame, month_start: date) -> pd.Series:
    """Person id -> the first AI-active day of the month, for people whose AI use began after the month's
    first day with no AI activity in ``usage_days`` before the month (they adopted, or came back).

    Their tokens cover only part of the month while their outcomes cover all of it, so their value per
    token for the month would be flattered; it is left empty instead. Counting only the outcomes from that
    day on would not do: one token on the 1st would then count the whole month, and spending would pay.
    ``usage_days``: ``person_id, period`` (day), ``active_days``, from some time before the month.
    """
    active = usage_days[usage_days["active_days"] > 0]
    days = pd.Series(calendar_days(active["period"]), index=active["person_id"], name="period")
    start = np.datetime64(month_start, "D")
    first = days[days >= start].groupby(level="person_id").min()
    late = first[(first > start) & ~first.index.isin(days[days < start].index)]
    return late.dt.date  # as ``datetime.date``, like the days ``usage_days`` holds

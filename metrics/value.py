"""Outcome units and value per token.

Outcome units weigh what got delivered so that padding earns little: PRs by size with a floor, nothing for
reverts or for repairing one's own bugs, tickets by points. The weights are an organisation setting
(``value_weights``). Value per token is the *extra* outcome units the impact model attributes to AI in
the month, per million tokens (and per 100 USD): spending more can only lower it.
"""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from payoff.metrics.periods import calendar_days


MIN_MILLION_TOKENS = 1.0  # a person-month's tokens count as at least a million ...
MIN_HUNDRED_USD = 0.1  # ... and its cost as at least 10 USD, so tiny spends do not give huge ratios


@dataclass(frozen=True)
class Weights:
    pr: float = 1.0  # one merged PR of full size that held up
    story_point: float = 0.5  # one story point closed
    ticket: float = 0.5  # one closed ticket that carries no story points and that a merged PR fixed
    bug_penalty: float = 0.5  # share of a PR's unit lost when it caused a bug (a revert loses all of it)
    full_lines: float = 50.0  # lines changed (additions + deletions) from which a PR counts fully ...
    size_floor: float = 0.1  # ... below, lines / full_lines of it, and never less than this share
    loose_ticket: float = 0.2  # share of the ticket weight an unpointed ticket keeps when no merged PR fixed it

    @classmethod
    def from_setting(cls, value: dict[str, Any] | None) -> "Weights":
        known = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in (value or {}).items() if k in known})


def outcome_units(outcomes: pd.DataFrame, weights: Weights) -> pd.Series:
    """``units = pr x (pr_weight - bug_penalty x pr_weight_buggy) + story_point x points_counted
    + ticket x (tickets_linked + loose_ticket x tickets_loose)`` over the columns ``store.reads.outcomes``
    sums per person and period.

    ``pr_weight`` sums ``clip(lines / full_lines, size_floor, 1)`` over the PRs that count: a reverted PR,
    the revert itself and a fix of a bug the author caused count nothing. A PR that caused a bug loses
    ``bug_penalty`` of its weight. Points and unpointed tickets leave out bugs the assignee caused; an
    unpointed ticket no merged PR fixed keeps ``loose_ticket`` of its weight. Missing columns count zero.
    """
    col = lambda name: outcomes[name].fillna(0) if name in outcomes else 0  # noqa: E731
    prs = col("pr_weight") - weights.bug_penalty * col("pr_weight_buggy")
    tickets = col("tickets_linked") + weights.loose_ticket * col("tickets_loose")
    return weights.pr * prs + weights.story_point * col("points_counted") + weights.ticket * tickets


def spend(tokens: pd.Series, cost_usd: pd.Series) -> pd.DataFrame:
    """Per person-month, the denominators of value per token: ``millions`` of tokens and ``hundreds`` of
    USD, each floored (``MIN_MILLION_TOKENS``, ``MIN_HUNDRED_USD``); NaN when nothing was spent."""
    tokens, cost_usd = tokens.astype(float), cost_usd.astype(float)
    return pd.DataFrame(
        {
            "millions": (tokens / 1e6).clip(lower=MIN_MILLION_TOKENS).where(tokens > 0),
            "hundreds": (cost_usd / 100).clip(lower=MIN_HUNDRED_USD).where(cost_usd > 0),
        }
    )


def value_per_token(extra: pd.DataFrame, spent: pd.DataFrame) -> pd.DataFrame:
    """``value_per_million_tokens = extra outcome units / millions`` (with ``_low``/``_high`` from the
    interval of the extra units) and ``value_per_100_usd = extra / hundreds``. ``extra``: ``estimate, low,
    high`` extra units of the month from the impact model; ``spent``: ``spend`` (summed for a group).
    Empty without an estimate or without spending. Tokens enter only the denominator, so burning more of
    them can only lower it."""
    millions, hundreds = spent["millions"].to_numpy(), spent["hundreds"].to_numpy()
    return pd.DataFrame(
        {
            "value_per_million_tokens": extra["estimate"].to_numpy() / millions,
            "value_per_million_tokens_low": extra["low"].to_numpy() / millions,
            "value_per_million_tokens_high": extra["high"].to_numpy() / millions,
            "value_per_100_usd": extra["estimate"].to_numpy() / hundreds,
        },
        index=extra.index,
    )


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

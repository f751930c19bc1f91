"""Waste signals: patterns worth a second look, each with the evidence that raised it.

Signals are private: shown to the person, and to their manager only where the organisation's
visibility setting allows. They are prompts for a conversation, never a score; the person can add
context to each (``signal_note``).
"""

from dataclasses import dataclass

import pandas as pd

from payoff.metrics import stats

SPEND_MIN_USD = 25.0  # spend without outcomes: at least this much in the month ...
SPEND_MIN_TOKENS = 1_000_000  # ... or this many tokens
REPEAT_MIN_RUNS = 5  # the same task fingerprint run this often in a month
DECOUPLED_RATIO = 3.0  # tokens at least this multiple of the person's own baseline ...
FLAT_RATIO = 1.1  # ... while outcome units stay below this multiple of theirs
DECOUPLED_MIN_TOKENS = 100_000  # ignore tiny absolute amounts
QUALITY_MIN_BAD = 2  # at least this many AI-assisted PRs with a bug or revert ...
QUALITY_MAX_CHANCE = 0.025  # ... and at most this probability of so many at the organisation's rate

NAMES = ("spend_without_outcomes", "repetitive_agent_runs", "usage_decoupled_from_outcomes",
         "quality_regression")


@dataclass(frozen=True)
class Signal:
    name: str
    evidence: str


def spend_without_outcomes(month: pd.DataFrame) -> dict[int, Signal]:
    """Flag ``cost_usd >= 25`` or ``tokens >= 1M`` in the month with ``units <= 0`` (no PR that held up,
    no ticket, no story point). ``month``: ``person_id, tokens, cost_usd, units``."""
    hit = month[((month["cost_usd"] >= SPEND_MIN_USD) | (month["tokens"] >= SPEND_MIN_TOKENS)) & (month["units"] <= 0)]
    return {int(r.person_id): Signal("spend_without_outcomes",
                                     f"{r.tokens:,.0f} tokens (${r.cost_usd:,.2f}) this month and no outcome "
                                     "units: no merged PR that held up, no closed ticket")
            for r in hit.itertuples()}


def repetitive_agent_runs(runs: pd.DataFrame) -> dict[int, Signal]:
    """Flag any agent task fingerprint run ``>= 5`` times in the month (``runs``: one row per person,
    agent and fingerprint with ``runs, tokens, cost_usd``); the evidence names the worst fingerprints."""
    repeated = runs[runs["runs"] >= REPEAT_MIN_RUNS].sort_values("runs", ascending=False)
    found = {}
    for person, part in repeated.groupby("person_id"):
        worst = "; ".join(f"{r.agent} task {r.task_fingerprint}: {r.runs} runs, {r.tokens:,.0f} tokens"
                          for r in part.head(3).itertuples())
        found[int(person)] = Signal("repetitive_agent_runs", f"same task repeated: {worst}")
    return found


def usage_decoupled(month: pd.DataFrame, baseline: pd.DataFrame) -> dict[int, Signal]:
    """Flag ``tokens >= 3 x baseline tokens`` (and >= 100k) while ``units <= 1.1 x baseline units``.
    ``baseline``: ``person_id, tokens, units`` = the person's monthly means over the previous months in
    which they used AI at all; people without such months have no baseline and are never flagged."""
    joined = month.merge(baseline, on="person_id", suffixes=("", "_baseline"))
    hit = joined[(joined["tokens_baseline"] > 0) & (joined["tokens"] >= DECOUPLED_MIN_TOKENS)
                 & (joined["tokens"] >= DECOUPLED_RATIO * joined["tokens_baseline"])
                 & (joined["units"] <= FLAT_RATIO * joined["units_baseline"])]
    return {int(r.person_id): Signal("usage_decoupled_from_outcomes",
                                     f"{r.tokens:,.0f} tokens = {r.tokens / r.tokens_baseline:.1f}x own baseline "
                                     f"({r.tokens_baseline:,.0f}/month) while outcome units went "
                                     f"{r.units_baseline:.1f} -> {r.units:.1f}")
            for r in hit.itertuples()}


def quality_regression(prs: pd.DataFrame, reference_rate: float) -> dict[int, Signal]:
    """Flag when AI-assisted PRs (``ai_any``) go wrong — a ``caused_by`` bug or a revert — clearly more often
    than ``reference_rate`` (the organisation's PRs without AI signals over the same months). "Clearly" =
    at least 2 such PRs and a one-sided exact binomial test below 2.5 %: with dozens of people tested every
    month, a looser bar would flag someone by chance each time."""
    assisted = prs.loc[prs["ai_any"], ["person_id", "bugs_caused", "reverted"]]
    went_wrong = (assisted["bugs_caused"] > 0) | assisted["reverted"]
    counts = went_wrong.groupby(assisted["person_id"]).agg(["sum", "size"])
    found = {}
    for person, bad, n in counts[counts["sum"] >= QUALITY_MIN_BAD].itertuples():  # the test only for these
        chance = stats.binomial_tail(bad, n, reference_rate)
        if chance < QUALITY_MAX_CHANCE:
            interval = stats.proportion(bad, n)
            found[int(person)] = Signal("quality_regression",
                                        f"{bad} of {n} AI-assisted PRs caused a bug or were reverted "
                                        f"({interval.estimate:.0%}, 80 % interval "
                                        f"{interval.low:.0%}-{interval.high:.0%}) "
                                        f"against {reference_rate:.0%} for the organisation's PRs without AI "
                                        f"signals; chance of this many at that rate {_chance(chance)}")
    return found


def _chance(p: float) -> str:
    return "under 0.1 %" if p < 0.001 else f"{p:.1%}"


def combine(*found: dict[int, Signal]) -> dict[int, list[Signal]]:
    """Per person, their signals in the order of ``NAMES``."""
    merged: dict[int, list[Signal]] = {}
    for signals in found:
        for person, signal in signals.items():
            merged.setdefault(person, []).append(signal)
    return {p: sorted(s, key=lambda x: NAMES.index(x.name)) for p, s in merged.items()}

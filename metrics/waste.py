"""Waste signals: patterns worth a second look, each with the evidence that raised it.

Signals are private: shown to the person, and to their manager only where the organisation's
visibility setting allows. They are prompts for a conversation, never a score; the person can add
context to each (``signal_note``).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from payoff.metrics import stats

SPEND_MIN_USD = 25.0  # spend without outcomes: at least this much in the month ...
SPEND_MIN_TOKENS = 1_000_000  # ... or this many tokens
REPEAT_MIN_RUNS = 5  # the same task fingerprint run this often in a month ...
RUNS_PER_MERGE = 5  # ... with fewer than one merged PR per this many runs while it ran
PEER_RATIO = 4.0  # tokens per outcome unit at least this multiple of the peers' median ...
PEER_MONTHS = 2  # ... in this month and at least this many of the months compared (persistence)
DECOUPLED_MIN_TOKENS = 1_000_000  # ignore small monthly amounts
SLICING_COUNT = 2.0  # PR slicing: merged PRs at least this multiple of the peers' median count ...
SLICING_SIZE = 1 / 3  # ... while the median PR is at most this share of the peers' median size ...
SLICING_MIN_PRS = 8  # ... (at least this many PRs) and review takes no longer than theirs
QUALITY_MIN_BAD = 2  # at least this many AI-assisted PRs with a bug or revert ...
QUALITY_MAX_CHANCE = 0.025  # ... and at most this probability of so many at the organisation's rate

NAMES = (
    "spend_without_outcomes",
    "repetitive_agent_runs",
    "usage_decoupled_from_outcomes",
    "pr_slicing",
    "quality_regression",
)


@dataclass(frozen=True)
class Signal:
    name: str
    evidence: str


def spend_without_outcomes(month: pd.DataFrame) -> dict[int, Signal]:
    """Flag ``cost_usd >= 25`` (usage and seats) or ``tokens >= 1M`` in the month with ``units <= 0`` (no PR
    that held up, no ticket, no story point), except people whose role has no delivery work (``codes`` false:
    no outcome is expected of them). ``month``: ``person_id, tokens, cost_usd, units, codes``."""
    hit = month[
        ((month["cost_usd"] >= SPEND_MIN_USD) | (month["tokens"] >= SPEND_MIN_TOKENS))
        & (month["units"] <= 0)
        & month["codes"]
    ]
    return {
        int(r.person_id): Signal(
            "spend_without_outcomes",
            f"{r.tokens:,.0f} tokens and ${r.cost_usd:,.2f} (usage and seats) this month "
            "and no outcome units: no merged PR that held up, no closed ticket",
        )
        for r in hit.itertuples()
    }


def repetitive_agent_runs(runs: pd.DataFrame, prs: pd.DataFrame) -> dict[int, Signal]:
    """Flag an agent task fingerprint run ``>= 5`` times in the month (``runs``: one row per person, agent and
    fingerprint with ``runs, tokens, cost_usd, first_at, last_at``) unless it is tied to merged work: the
    person merged at least one PR (``prs``: ``person_id, merged_at``) per 5 runs between its first run and a
    day after its last (a nightly dependency bot, a migration). The evidence names the worst fingerprints."""
    repeated = runs[runs["runs"] >= REPEAT_MIN_RUNS].sort_values("runs", ascending=False)
    merged = prs.groupby("person_id")["merged_at"].apply(np.sort)
    found = {}
    for person, part in repeated.groupby("person_id"):
        stamps = merged.get(person, np.array([], dtype="datetime64[ns]"))
        ends = (part["last_at"] + pd.Timedelta(days=1)).to_numpy()
        merges = np.searchsorted(stamps, ends, side="right") - np.searchsorted(stamps, part["first_at"].to_numpy())
        tied = merges * RUNS_PER_MERGE >= part["runs"].to_numpy()
        idle = part[~tied]
        if idle.empty:
            continue
        worst = "; ".join(
            f"{r.agent} task {r.task_fingerprint}: {r.runs} runs, {r.tokens:,.0f} tokens"
            for r in idle.head(3).itertuples()
        )
        found[int(person)] = Signal("repetitive_agent_runs", f"same task repeated without merged work: {worst}")
    return found


def tokens_per_unit(monthly: pd.DataFrame) -> pd.Series:
    """Per month (``period``), the peers' reference: the median of tokens / outcome units over everyone with
    AI use and outcome units that month. ``monthly``: ``person_id, period, tokens, outcome_units``."""
    used = monthly[(monthly["tokens"] > 0) & (monthly["outcome_units"] > 0)]
    return (used["tokens"] / used["outcome_units"]).groupby(used["period"]).median()


def usage_decoupled(monthly: pd.DataFrame, peers: pd.Series, month) -> dict[int, Signal]:
    """Flag tokens per outcome unit ``>= 4 x`` the peers' median (``tokens_per_unit``) in ``month`` and in
    at least 2 of the months of ``monthly`` (the month and the two before), with ``>= 1M`` tokens in the
    month: persistent spending out of line with what others spend for the same output. One heavy month (a
    migration) is not flagged; neither is heavy use that delivers in proportion. ``monthly``: ``person_id,
    period, tokens, outcome_units``; a month without units counts as one unit."""
    frame = monthly[monthly["tokens"] > 0].assign(reference=lambda f: f["period"].map(peers))
    frame["ratio"] = frame["tokens"] / frame["outcome_units"].clip(lower=1.0) / frame["reference"]
    frame["high"] = frame["ratio"] >= PEER_RATIO
    now = frame[(frame["period"] == month) & frame["high"] & (frame["tokens"] >= DECOUPLED_MIN_TOKENS)]
    months = frame.groupby("person_id")["high"].agg(["sum", "size"])
    found = {}
    for r in now.itertuples():
        high, seen = months.loc[r.person_id]
        if high >= PEER_MONTHS:
            found[int(r.person_id)] = Signal(
                "usage_decoupled_from_outcomes",
                f"{r.tokens:,.0f} tokens for {r.outcome_units:.1f} outcome units this month: {r.ratio:.1f}x the "
                f"tokens per unit of the people using AI (median {r.reference:,.0f}); {high} of the last {seen} "
                "months that high",
            )
    return found


def pr_slicing(prs: pd.DataFrame, peers: pd.DataFrame) -> dict[int, Signal]:
    """Flag a person whose merged PRs in the month number ``>= 2 x`` the peers' median per author (and
    ``>= 8``) while their median size is ``<= 1/3`` of the median author's median size and their median
    review time is no longer than the median author's: work cut into slivers to raise counts. ``prs``: the
    month's PRs with ``person_id, size_lines, review_hours`` (``outcomes.pr_times``); ``peers``: the same for
    everyone's PRs."""
    per_author = lambda frame: frame.groupby("person_id").agg(  # noqa: E731
        prs=("pr_id", "count"), size=("size_lines", "median"), review=("review_hours", "median")
    )
    reference = per_author(peers).median()  # per author, so one prolific slicer does not set the norm
    reference = {"prs": reference["prs"], "size": reference["size"], "review": reference["review"]}
    mine = per_author(prs)
    hit = mine[
        (mine["prs"] >= max(SLICING_MIN_PRS, SLICING_COUNT * reference["prs"]))
        & (mine["size"] <= SLICING_SIZE * reference["size"])
        & ~(mine["review"] > reference["review"])
    ]
    return {
        int(person): Signal(
            "pr_slicing",
            f"{r.prs:.0f} merged PRs this month against a median of {reference['prs']:.0f} per "
            f"author, median {r.size:.0f} lines against {reference['size']:.0f}: many small "
            "PRs where others make fewer, larger ones",
        )
        for person, r in hit.iterrows()
    }


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
            found[int(person)] = Signal(
                "quality_regression",
                f"{bad} of {n} AI-assisted PRs caused a bug or were reverted "
                f"({interval.estimate:.0%}, 80 % interval "
                f"{interval.low:.0%}-{interval.high:.0%}) "
                f"against {reference_rate:.0%} for the organisation's PRs without AI "
                f"signals; chance of this many at that rate {_chance(chance)}",
            )
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

"""Intervals used across the metrics. Every interval is 80 %: wide enough to be honest about small
samples, narrow enough to say something. All are approximations and are labelled as such in the cards."""

import math
from dataclasses import dataclass

import numpy as np

LEVEL = 0.8
Z = 1.2816  # two-sided 80 % quantile of the standard normal
SMALL_SAMPLE = 10  # fewer observations than this are labelled "small sample"


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    low: float | None
    high: float | None
    n: int

    @property
    def small_sample(self) -> bool:
        return self.n < SMALL_SAMPLE

    def as_dict(self) -> dict[str, float | None]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high}


EMPTY = Interval(None, None, None, 0)


def proportion(successes: int, n: int) -> Interval:
    """Wilson score interval for ``successes / n``: stays inside [0, 1] and behaves for small n."""
    if n == 0:
        return EMPTY
    p = successes / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def median(values) -> Interval:
    """Median with a distribution-free interval from order statistics (normal approximation of the
    binomial ranks): no assumption about the skewed shape of cycle times."""
    x = np.sort(np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float))
    n = len(x)
    if n == 0:
        return EMPTY
    half = Z * math.sqrt(n) / 2
    low = max(0, math.floor(n / 2 - half))
    high = min(n - 1, math.ceil(n / 2 + half) - 1)
    return Interval(float(np.median(x)), float(x[low]), float(x[high]), n)


def binomial_tail(successes: int, n: int, p: float) -> float:
    """P(X >= successes) for X ~ Binomial(n, p): the one-sided exact test of "more often than p"."""
    if successes <= 0:
        return 1.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = (
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(successes, n + 1)
    )
    return min(1.0, sum(math.exp(t) for t in terms))


def resample_people(people: int, resamples: int, seed: int) -> np.ndarray:
    """How often each of ``people`` is drawn in each of ``resamples`` draws with replacement, after a first
    row of ones (the sample itself): ``(resamples + 1) x people``. Fixed by ``seed``, so an interval does
    not move between two loads of the same page."""
    counts = np.zeros((resamples + 1, people))
    counts[0] = 1
    if people:
        draws = np.random.default_rng(seed).integers(0, people, size=(resamples, people))
        np.add.at(counts, (np.repeat(np.arange(1, resamples + 1), people), draws.ravel()), 1)
    return counts

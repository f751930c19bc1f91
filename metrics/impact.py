"""Impact of AI adoption on weekly outcome units: a Poisson imputation event study (Borusyak, Jaravel and
Spiess's imputation estimator on the log scale, Wooldridge's Poisson fixed effects).

1. Model of the weeks nobody is treated in — never-adopters' weeks and adopters' weeks before their first
   AI-active week, each only within the person's active tenure (first to last week with any outcome or
   AI activity, so weeks before a hire or after a leaver are not zeros):
   ``E[units_it] = alpha_i x beta_t`` (person and week effects), fitted by Poisson maximum likelihood.
2. Each adopter's treated weeks are imputed from it: ``expected_it = alpha_i x beta_t``. The effect of a
   group is ``gain = sum(units) / sum(expected) - 1`` over its adopters' treated weeks: the % change in
   output, which staggered adoption and effects that differ between people do not bias (the comparison
   is never an already-treated week).
3. Intervals: the whole fit is repeated on ``RESAMPLES`` resamples of people (adopters and comparison
   people together, drawn with replacement); the 10th and 90th percentiles bound the 80 % interval. Weeks
   of one person stay together, so their correlation is kept.
4. Placebo: the same fit with each adopter's last ``PLACEBO_WEEKS`` weeks before adoption held out as if
   treated (adopters with at least two more weeks before those); their "gain" should be
   near zero. A clearly non-zero placebo says adopters were already
   diverging (on a steeper path, or picked for a busy stretch) and the estimate is not to be trusted.
5. A person's own estimate is partially pooled toward the organisation's: their log ratio
   ``log((units_after + 0.5) / (units_before + 0.5) x (beta_before / beta_after))`` with sampling variance
   ``phi x (1 / (units_after + 0.5) + 1 / (units_before + 0.5))`` (``phi``: over-dispersion of 8-week
   sums, pooled over everyone), combined with the spread of true effects between people (method of
   moments, at least ``MIN_SPREAD``) by the normal-normal rule. One noisy person is pulled toward the
   group instead of over-claimed.

Assumption: without AI, adopters' output would have moved like everyone's untreated weeks (parallel
trends on the log scale); the placebo is the check. Adoption is the first AI-active week.

The person-and-week fit is iterative proportional fitting, which is exactly the Poisson maximum-likelihood
solution for two sets of fixed effects (the fitted sums match the observed ones per person and per week);
tests check it against pyfixest's ``fepois``. pyfixest itself took 4.4 s per fit at 10,000 people x 56
weeks, and the interval needs 200 fits; here all resamples are fitted at once as matrix products.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from payoff.metrics import stats

RESAMPLES = 200
PLACEBO_WEEKS = 6
MIN_WEEKS = 4
MIN_COMPARISON = 3
MIN_SPREAD = 0.1  # least spread (log scale) of true gains between people the pooling assumes
BLOCK = 8  # weeks per block when measuring over-dispersion (keeps a few weeks' correlation inside)
ITERATIONS = 100
TOLERANCE = 1e-7
SEED = 20261201  # resamples are fixed, so a page shows the same interval on every load


@dataclass(frozen=True)
class Panel:
    """Weekly outcome units of everyone: rows are people, columns weeks (oldest first)."""

    people: np.ndarray  # person ids
    units: np.ndarray  # float, people x weeks
    active: np.ndarray  # bool, people x weeks: any AI activity
    present: np.ndarray  # bool, people x weeks: any outcome or AI activity (tenure runs first to last)
    month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # bool per week: the month read

    @classmethod
    def from_weekly(cls, weekly: pd.DataFrame, weeks: list, month_weeks: list) -> "Panel":
        """``weekly``: ``person_id, week, units, active`` (several rows of one person-week add up)."""
        people = np.sort(weekly["person_id"].unique())
        shape = (len(people), len(weeks))
        row = np.searchsorted(people, weekly["person_id"].to_numpy()).astype(np.intp)  # int even when empty
        col = pd.Index(weeks).get_indexer(weekly["week"])
        keep = col >= 0
        units, active, seen = np.zeros(shape), np.zeros(shape, bool), np.zeros(shape, bool)
        np.add.at(units, (row[keep], col[keep]), weekly["units"].to_numpy(dtype=float)[keep])
        np.logical_or.at(active, (row[keep], col[keep]), weekly["active"].to_numpy(dtype=bool)[keep])
        np.logical_or.at(seen, (row[keep], col[keep]), True)
        seen &= (units > 0) | active
        return cls(people, units, active, seen, np.isin(np.asarray(weeks), month_weeks))

    @property
    def tenure(self) -> np.ndarray:
        """First to last week with a trace, per person."""
        first = np.maximum.accumulate(self.present, axis=1)
        last = np.maximum.accumulate(self.present[:, ::-1], axis=1)[:, ::-1]
        return first & last

    @property
    def treated(self) -> np.ndarray:
        return np.maximum.accumulate(self.active, axis=1) & self.tenure


def fit(units: np.ndarray, fitted: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson person and week effects from the ``fitted`` cells, for each row of ``weights`` (resamples x
    people: how often each person was drawn). Returns ``alpha`` (resamples x people) and ``beta``
    (resamples x weeks); a person or week without fitted cells gets 0."""
    if not units.size:  # nobody, or no weeks: nothing to fit
        return np.zeros((weights.shape[0], units.shape[0])), np.zeros((weights.shape[0], units.shape[1]))
    cells = fitted.astype(float)
    observed = units * cells
    own = observed.sum(axis=1)  # a person's fitted sum does not depend on how often they were drawn
    per_week = weights @ observed
    beta = np.ones((weights.shape[0], units.shape[1]))
    for _ in range(ITERATIONS):
        alpha = _people(own, beta @ cells.T)
        expected = (weights * alpha) @ cells
        new = np.divide(per_week, expected, out=np.zeros_like(per_week), where=expected > 0)
        done = np.abs(new - beta).max() <= TOLERANCE * max(1.0, float(np.abs(beta).max()))
        beta = new
        if done:
            break
    return _people(own, beta @ cells.T), beta


def _people(own: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """``own / exposure`` per resample and person; 0 where either is 0 (a person not drawn can leave their
    only weeks without anyone else's output)."""
    own = np.broadcast_to(own, exposure.shape)
    return np.divide(own, exposure, out=np.zeros(exposure.shape), where=(own > 0) & (exposure > 0))


@dataclass
class Estimates:
    """The fit of one panel: everything a person's, team's or organisation's estimate is read from."""

    panel: Panel
    weights: np.ndarray  # resamples x people, the first row all ones (the point estimate)
    observed: np.ndarray  # resamples x people: units in treated weeks
    expected: np.ndarray  # resamples x people: imputed units in those weeks
    placebo_observed: np.ndarray
    placebo_expected: np.ndarray
    estimable: np.ndarray  # per person: an adopter whose effect can be estimated
    reasons: list  # per person: None, or why there is no estimate
    person: pd.DataFrame  # per person: the pooled estimate
    month_expected: np.ndarray  # per person: imputed units in the month's treated weeks (point fit)
    comparison: int  # people with untreated weeks in tenure and no AI use in the window

    def group(self, person_ids) -> dict:
        """The gain of the adopters among ``person_ids`` with its 80 % interval, the placebo beside it, and
        how many adopters it rests on."""
        members = np.isin(self.panel.people, list(person_ids)) & self.estimable
        people = int(members.sum())
        if people == 0:
            return {"people": 0}
        return {
            "people": people,
            **_ratio(self.weights, self.observed, self.expected, members, "gain"),
            **_ratio(self.weights, self.placebo_observed, self.placebo_expected, members, "placebo"),
        }


def _ratio(weights, observed, expected, members, name: str) -> dict:
    top = (weights[:, members] * observed[:, members]).sum(axis=1)
    bottom = (weights[:, members] * expected[:, members]).sum(axis=1)
    gains = np.divide(top, bottom, out=np.full(len(top), np.nan), where=bottom > 0) - 1
    if np.isnan(gains[0]):
        return {name: None, f"{name}_low": None, f"{name}_high": None}
    spread = gains[1:][~np.isnan(gains[1:])]
    low, high = np.quantile(spread, [(1 - stats.LEVEL) / 2, (1 + stats.LEVEL) / 2]) if len(spread) else (None,) * 2
    return {name: float(gains[0]), f"{name}_low": float(low), f"{name}_high": float(high)}


def estimate(panel: Panel, resamples: int = RESAMPLES) -> Estimates:
    """Fit the panel once and on ``resamples`` resamples of people."""
    n = len(panel.people)
    weights = stats.resample_people(n, resamples, SEED)
    tenure, treated = panel.tenure, panel.treated
    untreated = tenure & ~treated
    adopter = treated.any(axis=1)
    before, after = untreated.sum(axis=1), treated.sum(axis=1)
    base = (panel.units * untreated).sum(axis=1)
    comparison = int((~adopter & (before > 0)).sum())
    reasons = [_reason(a, b, t, u, comparison) for a, b, t, u in zip(adopter, before, after, base, strict=True)]
    estimable = np.array([r is None for r in reasons], dtype=bool)
    alpha, beta = fit(panel.units, untreated, weights)
    observed = np.tile((panel.units * treated).sum(axis=1), (len(weights), 1))
    expected = alpha * (beta @ treated.T.astype(float))
    # the placebo: the last weeks before adoption held out of the fit and imputed like treated weeks
    first = treated.argmax(axis=1) if treated.shape[1] else np.zeros(n, dtype=int)  # a window without weeks
    adoption = np.where(adopter, first, panel.units.shape[1])
    weeks = np.arange(panel.units.shape[1])
    eligible = adopter & (before >= PLACEBO_WEEKS + 2)  # weeks left to fit their level on
    held = untreated & (weeks >= adoption[:, None] - PLACEBO_WEEKS) & eligible[:, None]
    p_alpha, p_beta = fit(panel.units, untreated & ~held, weights)
    placebo_observed = np.tile((panel.units * held).sum(axis=1), (len(weights), 1))
    placebo_expected = p_alpha * (p_beta @ held.T.astype(float))
    month_expected = alpha[0] * (beta[0] @ (treated & panel.month[None, :]).T.astype(float))
    person = _pooled(
        panel, untreated, treated, alpha[0], beta[0], estimable, _ratio(weights, observed, expected, estimable, "gain")
    )
    return Estimates(
        panel,
        weights,
        observed,
        expected,
        placebo_observed,
        placebo_expected,
        estimable,
        reasons,
        person,
        month_expected,
        comparison,
    )


def _reason(adopter: bool, before: int, after: int, base: float, comparison: int) -> str | None:
    if not adopter:
        return "no AI use in the window"
    if before < MIN_WEEKS:
        return f"not enough data: {before} weeks before adoption (need {MIN_WEEKS})"
    if after < MIN_WEEKS:
        return f"not enough data: {after} weeks since adoption (need {MIN_WEEKS})"
    if base <= 0:
        return "not enough data: no outcomes before adoption to compare with"
    if comparison < MIN_COMPARISON:
        return f"not enough data: {comparison} people without AI use to compare with (need {MIN_COMPARISON})"
    return None


def _dispersion(units, untreated, treated, expected_untreated, ratio) -> float:
    """Variance of 8-week sums over their expected value, pooled over everyone (1 = Poisson), with each
    adopter's own after/before ratio in the expectation; corrected for the two values fitted per person."""
    mean = expected_untreated * np.where(treated, ratio[:, None], 1.0)
    cells = untreated | treated
    squares, total, blocks = 0.0, 0.0, 0
    for start in range(0, units.shape[1], BLOCK):
        part = slice(start, start + BLOCK)
        for segment in (untreated[:, part], treated[:, part]):
            residual = ((units[:, part] - mean[:, part]) * segment).sum(axis=1)
            size = (mean[:, part] * segment).sum(axis=1)
            used = segment.any(axis=1) & (size > 0)
            squares += float((residual[used] ** 2).sum())
            total += float(size[used].sum())
            blocks += int(used.sum())
    fitted = 2 * int(cells.any(axis=1).sum())
    if total <= 0 or blocks <= fitted:
        return 1.0
    return max(1.0, squares / total * blocks / (blocks - fitted))


def _pooled(panel: Panel, untreated, treated, alpha, beta, estimable, whole: dict) -> pd.DataFrame:
    """Each estimable adopter's gain, pulled toward the organisation's by how noisy it is."""
    units = panel.units
    before, after = (units * untreated).sum(axis=1), (units * treated).sum(axis=1)
    beta_before, beta_after = untreated @ beta, treated @ beta
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.log((after + 0.5) / (before + 0.5) * beta_before / beta_after)
        ratio = np.where(estimable, (after / np.maximum(before, 1e-9)) * beta_before / beta_after, 1.0)
    phi = _dispersion(units, untreated, treated, alpha[:, None] * beta[None, :], np.nan_to_num(ratio, nan=1.0))
    variance = phi * (1 / (after + 0.5) + 1 / (before + 0.5))
    frame = pd.DataFrame(
        {
            "person_id": panel.people,
            "weeks_before": untreated.sum(axis=1),
            "weeks_after": treated.sum(axis=1),
            "baseline_units_per_week": np.divide(
                before, untreated.sum(axis=1), out=np.full(len(before), np.nan), where=untreated.sum(axis=1) > 0
            ),
        }
    )
    frame[["gain", "gain_low", "gain_high"]] = np.nan
    if whole["gain"] is None or not estimable.any():
        return frame
    centre = np.log1p(whole["gain"])
    centre_var = ((np.log1p(whole["gain_high"]) - np.log1p(whole["gain_low"])) / (2 * stats.Z)) ** 2
    # People differ in what AI does for them by at least MIN_SPREAD: with few adopters the moment estimate is
    # often zero, which would hand everyone the organisation's gain with its narrow interval.
    spread = max(MIN_SPREAD**2, float(np.mean((raw[estimable] - centre) ** 2 - variance[estimable])) - centre_var)
    shrink = variance / (variance + spread)  # the weight of the organisation's estimate
    mean = (1 - shrink) * raw + shrink * centre
    var = 1 / (1 / variance + 1 / spread) + shrink**2 * centre_var
    half = stats.Z * np.sqrt(var)
    frame.loc[estimable, "gain"] = np.expm1(mean[estimable])
    frame.loc[estimable, "gain_low"] = np.expm1(mean[estimable] - half[estimable])
    frame.loc[estimable, "gain_high"] = np.expm1(mean[estimable] + half[estimable])
    frame["dispersion"] = phi
    return frame

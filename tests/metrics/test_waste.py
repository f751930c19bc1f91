import pandas as pd
from frames import prs

from payoff.metrics import waste


def month(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["person_id", "tokens", "cost_usd", "units"])


def test_spend_without_outcomes_needs_spend_and_no_units():
    found = waste.spend_without_outcomes(month([(1, 2_000_000, 5.0, 0.0), (2, 10_000, 30.0, 0.0),
                                                (3, 5_000_000, 80.0, 0.5), (4, 10_000, 1.0, 0.0)]))
    assert sorted(found) == [1, 2]
    assert found[1].evidence.startswith("2,000,000 tokens ($5.00) this month and no outcome units")


def test_repetitive_agent_runs_names_the_worst_fingerprints():
    runs = pd.DataFrame({"person_id": [1, 1, 2], "agent": ["fixer"] * 3, "task_fingerprint": ["abc", "def", "abc"],
                         "runs": [7, 5, 4], "tokens": [70_000, 50_000, 40_000], "cost_usd": [1.0, 1.0, 1.0]})
    found = waste.repetitive_agent_runs(runs)
    assert list(found) == [1]
    assert found[1].evidence == ("same task repeated: fixer task abc: 7 runs, 70,000 tokens; "
                                 "fixer task def: 5 runs, 50,000 tokens")


def test_usage_decoupled_needs_a_baseline_three_times_exceeded_and_flat_outcomes():
    now = month([(1, 3_000_000, 0.0, 10.0), (2, 3_000_000, 0.0, 20.0), (3, 2_900_000, 0.0, 10.0),
                 (4, 3_000_000, 0.0, 10.0)])
    baseline = pd.DataFrame({"person_id": [1, 2, 3], "tokens": [1_000_000] * 3, "units": [10.0, 10.0, 10.0]})
    found = waste.usage_decoupled(now, baseline)
    assert list(found) == [1]  # 2: outcomes doubled; 3: under 3x; 4: no baseline
    assert "3.0x own baseline" in found[1].evidence and "10.0 -> 10.0" in found[1].evidence


def test_quality_regression_needs_more_bad_ai_prs_than_chance_allows():
    def person(pid, bad, good, ai=True):
        return [{"pr_id": f"{pid}-{i}", "person_id": pid, "ai_any": ai, "bugs_caused": int(i < bad)}
                for i in range(bad + good)]

    frame = prs(person(1, 4, 6) + person(2, 1, 9) + person(3, 2, 38) + person(4, 5, 5, ai=False))
    found = waste.quality_regression(frame, reference_rate=0.05)
    # 1: 4 of 10 at 5 % is very unlikely; 2: one bad PR is never enough; 3: 2 of 40 is the expected rate;
    # 4: their PRs are not AI-assisted
    assert list(found) == [1]
    assert found[1].evidence.startswith("4 of 10 AI-assisted PRs caused a bug or were reverted (40%")


def test_combine_orders_signals_per_person():
    a, b = waste.Signal("quality_regression", "x"), waste.Signal("spend_without_outcomes", "y")
    assert waste.combine({1: a}, {1: b, 2: b}) == {1: [b, a], 2: [b]}

import pandas as pd
from frames import prs

from payoff.metrics import waste


def month(rows, non_coding=()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "tokens", "cost_usd", "units"])
    return frame.assign(codes=[p not in non_coding for p in frame["person_id"]])


def test_spend_without_outcomes_needs_spend_and_no_units():
    found = waste.spend_without_outcomes(
        month([(1, 2_000_000, 5.0, 0.0), (2, 10_000, 30.0, 0.0), (3, 5_000_000, 80.0, 0.5), (4, 10_000, 1.0, 0.0)])
    )
    assert sorted(found) == [1, 2]
    assert found[1].evidence.startswith("2,000,000 tokens and $5.00 (usage and seats) this month and no outcome")


def test_spend_without_outcomes_spares_people_whose_role_has_no_delivery_work():
    spent = [(1, 2_000_000, 50.0, 0.0), (2, 2_000_000, 50.0, 0.0)]
    assert sorted(waste.spend_without_outcomes(month(spent, non_coding=[2]))) == [1]


def test_repetitive_agent_runs_names_the_worst_fingerprints_unless_tied_to_merged_work():
    day = pd.Timestamp("2026-10-05", tz="UTC")
    runs = pd.DataFrame(
        {
            "person_id": [1, 1, 2, 3],
            "agent": ["fixer"] * 4,
            "task_fingerprint": ["abc", "def", "abc", "deps"],
            "runs": [7, 6, 4, 10],
            "tokens": [70_000, 50_000, 40_000, 10_000],
            "cost_usd": [1.0] * 4,
            "first_at": [day] * 4,
            "last_at": [day + pd.Timedelta(days=9)] * 4,
        }
    )
    # 3's nightly task merged a PR on two of its days: one merged PR per five runs is work, not waste
    merged = pd.DataFrame(
        {"person_id": [1, 3, 3], "merged_at": [day, day + pd.Timedelta(days=2), day + pd.Timedelta(days=10)]}
    )
    found = waste.repetitive_agent_runs(runs, merged)
    assert list(found) == [1]  # 1 merged one PR for 12 runs
    assert found[1].evidence == (
        "same task repeated without merged work: fixer task abc: 7 runs, 70,000 tokens; "
        "fixer task def: 6 runs, 50,000 tokens"
    )


def test_usage_decoupled_compares_tokens_per_unit_with_peers_and_needs_persistence():
    months = [pd.Timestamp(m).date() for m in ("2026-08-01", "2026-09-01", "2026-10-01")]
    rows = []
    for period in months:
        rows += [(p, period, 1_000_000, 10.0) for p in range(10, 16)]  # peers: 100,000 tokens a unit
        rows.append((1, period, 5_000_000, 10.0))  # five times the peers', every month
        rows.append((3, period, 3_000_000, 10.0))  # three times: heavy, not out of line
    rows.append((2, months[2], 9_000_000, 10.0))  # one migration month
    rows.append((2, months[1], 1_000_000, 10.0))
    monthly = pd.DataFrame(rows, columns=["person_id", "period", "tokens", "outcome_units"])
    found = waste.usage_decoupled(monthly, waste.tokens_per_unit(monthly), months[2])
    assert list(found) == [1]
    assert "5.0x the tokens per unit" in found[1].evidence and "3 of the last 3 months" in found[1].evidence


def test_pr_slicing_needs_many_small_quickly_reviewed_prs_against_peers():
    def many(person, count, size, review):
        return [
            {"pr_id": f"{person}-{i}", "person_id": person, "size_lines": size, "review_hours": review}
            for i in range(count)
        ]

    peers = pd.DataFrame(
        many(10, 4, 120, 5.0)
        + many(11, 5, 90, 4.0)
        + many(12, 4, 150, 6.0)
        + many(13, 4, 100, 5.0)
        + many(14, 5, 110, 4.0)
        + many(15, 4, 130, 6.0)
        + many(1, 20, 3, 0.5)
        + many(2, 20, 3, 9.0)
        + many(3, 20, 80, 0.5)
    )
    found = waste.pr_slicing(peers, peers)
    assert list(found) == [1]  # 2: slow reviews, real scrutiny; 3: many PRs of ordinary size
    assert found[1].evidence.startswith("20 merged PRs this month against a median of")


def test_quality_regression_needs_more_bad_ai_prs_than_chance_allows():
    def person(pid, bad, good, ai=True):
        return [
            {"pr_id": f"{pid}-{i}", "person_id": pid, "ai_any": ai, "bugs_caused": int(i < bad)}
            for i in range(bad + good)
        ]

    frame = prs(person(1, 4, 6) + person(2, 1, 9) + person(3, 2, 38) + person(4, 5, 5, ai=False))
    found = waste.quality_regression(frame, reference_rate=0.05)
    # 1: 4 of 10 at 5 % is very unlikely; 2: one bad PR is never enough; 3: 2 of 40 is the expected rate;
    # 4: their PRs are not AI-assisted
    assert list(found) == [1]
    assert found[1].evidence.startswith("4 of 10 AI-assisted PRs caused a bug or were reverted (40%")


def test_combine_orders_signals_per_person():
    a, b = waste.Signal("quality_regression", "x"), waste.Signal("spend_without_outcomes", "y")
    assert waste.combine({1: a}, {1: b, 2: b}) == {1: [b, a], 2: [b]}

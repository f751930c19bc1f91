import pandas as pd
from frames import d, prs, signals, ts, usage_days
from pandas.testing import assert_frame_equal

from payoff.metrics import ai_assisted


def test_derived_telemetry_looks_at_the_first_commit_day_and_the_day_before():
    frame = prs(
        [
            {"pr_id": "same_day", "person_id": 1, "first_commit_at": ts(10, 9)},
            {"pr_id": "day_before", "person_id": 1, "first_commit_at": ts(11, 23)},
            {"pr_id": "two_days", "person_id": 1, "first_commit_at": ts(12, 1)},
            {"pr_id": "no_commit_uses_opened", "person_id": 1, "created_at": ts(11, 8)},
            {"pr_id": "someone_else", "person_id": 2, "first_commit_at": ts(10, 9)},
            {"pr_id": "inactive_row", "person_id": 3, "first_commit_at": ts(10, 9)},
        ]
    )
    used = usage_days([(1, d(10), 1, 5, 0, 0.0), (3, d(10), 0, 0, 0, 0.0)])
    got = ai_assisted.derived_telemetry(frame, used)
    assert got.tolist() == [True, True, False, True, False, False]


def test_shares_and_coverage_keep_high_confidence_apart_from_all_signals():
    frame = prs([{"pr_id": f"p{i}", "person_id": 1, "first_commit_at": ts(20)} for i in range(4)])
    sig = signals([("p0", "trailer", "high"), ("p0", "label", "high"), ("p1", "telemetry", "low")])
    used = usage_days([(1, d(20), 1, 5, 0, 0.0)])
    flagged = ai_assisted.with_ai_flags(frame.iloc[:3], sig, used.iloc[:0])  # no usage: no derived telemetry
    got = ai_assisted.ai_share(flagged)
    expected = pd.DataFrame(
        {
            "person_id": [1],
            "ai_assisted_pr_share": [2 / 3],
            "ai_assisted_pr_share_high": [1 / 3],
            "coverage_trailer": [1 / 3],
            "coverage_bot_author": [0.0],
            "coverage_branch_prefix": [0.0],
            "coverage_label": [1 / 3],
            "coverage_telemetry": [1 / 3],
            "coverage_derived_telemetry": [0.0],
        }
    )
    assert_frame_equal(got, expected)
    with_usage = ai_assisted.ai_share(ai_assisted.with_ai_flags(frame, sig, used))
    assert with_usage.loc[0, "ai_assisted_pr_share"] == 1.0  # derived telemetry marks every PR
    assert with_usage.loc[0, "ai_assisted_pr_share_high"] == 0.25


def test_ai_vs_other_gives_medians_rates_and_intervals():
    rows = [
        {
            "pr_id": f"a{i}",
            "person_id": 1,
            "created_at": ts(1),
            "merged_at": ts(1, h),
            "ai_any": True,
            "bugs_caused": int(i == 0),
        }
        for i, h in enumerate((1, 2, 3, 4, 5))
    ]
    rows += [{"pr_id": "o1", "person_id": 1, "created_at": ts(1), "merged_at": ts(2), "ai_any": False}]
    got = ai_assisted.ai_vs_other(prs(rows)).set_index(["side", "measure"])
    cycle = got.loc[("ai_assisted", "cycle_time_hours")]
    # n=5: ranks floor(2.5 - 1.2816*sqrt(5)/2) = 1 and ceil(2.5 + 1.433) - 1 = 3 -> values 2 and 4
    assert (cycle["n"], cycle["estimate"], cycle["low"], cycle["high"]) == (5, 3.0, 2.0, 4.0)
    assert bool(cycle["small_sample"])
    bug = got.loc[("ai_assisted", "bug_rate")]
    assert bug["estimate"] == 0.2 and 0.0 < bug["low"] < 0.2 < bug["high"] < 1.0
    assert got.loc[("other", "cycle_time_hours"), "estimate"] == 24.0

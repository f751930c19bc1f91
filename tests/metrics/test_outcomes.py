import math

import pandas as pd
from frames import prs, ts
from pandas.testing import assert_frame_equal

from payoff.metrics import outcomes

NAN = math.nan


def sample_prs() -> pd.DataFrame:
    return prs(
        [
            {
                "pr_id": "p1",
                "person_id": 1,
                "first_commit_at": ts(1, 0),
                "created_at": ts(1, 10),
                "first_review_at": ts(1, 14),
                "merged_at": ts(2, 0),
                "additions": 10,
                "deletions": 5,
            },
            {
                "pr_id": "p2",
                "person_id": 1,
                "created_at": ts(3, 0),
                "merged_at": ts(3, 12),
                "additions": 30,
                "bugs_caused": 1,
            },
            {
                "pr_id": "p3",
                "person_id": 1,
                "first_commit_at": ts(4, 0),
                "created_at": ts(4, 2),
                "first_review_at": ts(4, 4),
                "merged_at": ts(6, 0),
                "additions": 100,
                "deletions": 50,
                "bugs_caused": 1,
                "reverted": True,
            },
            {"pr_id": "p4", "person_id": 2, "created_at": ts(1, 0), "merged_at": ts(1, 6)},
        ]
    )


def test_pr_outcomes_medians_phases_and_quality():
    got = outcomes.pr_outcomes(sample_prs())
    expected = pd.DataFrame(
        {
            "person_id": [1, 2],
            "prs_merged": [3, 1],
            "pr_cycle_time_hours": [24.0, 6.0],  # cycles 24, 12 (from opened), 48
            "pr_cycle_time_p75_hours": [36.0, 6.0],
            "coding_hours": [6.0, NAN],  # 10 and 2
            "pickup_hours": [3.0, NAN],  # 4 and 2
            "review_hours": [27.0, NAN],  # 10 and 44
            "pr_size_lines": [30.0, 10.0],  # 15, 30, 150
            "reverts": [1, 0],
            "prs_buggy": [1, 0],  # p3 was reverted, so only p2 is "buggy"
            "bug_rate": [2 / 3, 0.0],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)


def test_pr_outcomes_pool_a_group_instead_of_averaging_medians():
    frame = sample_prs().assign(team="core")
    got = outcomes.pr_outcomes(frame, by="team")
    assert got.loc[0, "pr_cycle_time_hours"] == 18.0  # median of 6, 12, 24, 48
    assert got.loc[0, "prs_merged"] == 4


def test_ticket_outcomes_and_bugs_opened():
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "person_id": [1, 1, 1, 2],
            "type": ["story", "bug", "task", "story"],
            "story_points": [3.0, None, 0.0, 5.0],
            "resolved_at": [ts(2)] * 4,
        }
    )
    expected = pd.DataFrame(
        {
            "person_id": [1, 2],
            "tickets_closed": [3, 1],
            "tickets_without_points": [2, 0],
            "story_points": [3.0, 5.0],
            "bugs_fixed": [1, 0],
        }
    )
    assert_frame_equal(outcomes.ticket_outcomes(tickets), expected, check_dtype=False)
    bugs = pd.DataFrame(
        {
            "ticket_id": ["b1", "b1", "b2"],
            "pr_id": ["p1", "p2", "p4"],
            "person_id": [1, 1, 2],
            "created_at": [ts(3)] * 3,
        }
    )
    expected_bugs = pd.DataFrame({"person_id": [1, 2], "bugs_opened": [1, 1]})  # b1 links two PRs: one bug
    assert_frame_equal(outcomes.bugs_opened(bugs), expected_bugs)

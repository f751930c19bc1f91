from datetime import UTC, datetime

import pandas as pd
from frames import d, usage_days
from pandas.testing import assert_frame_equal

from payoff.metrics import usage


def test_usage_totals_sum_per_group():
    used = usage_days([(1, d(5), 1, 100, 20, 1.5), (1, d(6), 1, 50, 5, 0.5), (2, d(5), 1, 7, 3, 0.0)])
    got = usage.usage_totals(used)
    expected = pd.DataFrame(
        {
            "person_id": [1, 2],
            "input_tokens": [150, 7],
            "output_tokens": [25, 3],
            "cost_usd": [2.0, 0.0],
            "tokens": [175, 10],
        }
    )
    assert_frame_equal(got, expected)


def test_unused_seats_are_held_in_the_month_without_any_use():
    def at(y, m, day):
        return datetime(y, m, day, tzinfo=UTC)

    seats = pd.DataFrame(
        [
            ("s1", "copilot", 1, at(2026, 1, 1), None, None, None, 19.0),  # held, never used: unused
            ("s2", "copilot", 2, at(2026, 1, 1), None, None, None, 19.0),  # used in the month (usage row)
            ("s3", "copilot", 3, at(2026, 1, 1), at(2026, 10, 20), None, None, 19.0),  # activity in the month
            ("s4", "copilot", 4, at(2026, 11, 2), None, None, None, 19.0),  # assigned after the month
            (
                "s5",
                "cursor",
                1,
                at(2026, 1, 1),
                at(2026, 9, 1),
                pd.Timestamp("2026-09-15").date(),
                None,
                40.0,
            ),  # cancelled
            ("s6", "cursor", 5, None, None, None, None, None),  # unknown dates and cost: unused, cost 0
            ("s7", "copilot", 6, at(2026, 1, 1), None, None, at(2026, 9, 30), 19.0),  # gone from the seat list before
            ("s8", "copilot", 7, at(2026, 1, 1), None, None, at(2026, 10, 10), 19.0),  # ended within the month: held
        ],
        columns=[
            "seat_id",
            "tool",
            "person_id",
            "assigned_at",
            "last_activity_at",
            "pending_cancellation_date",
            "ended_at",
            "monthly_cost_usd",
        ],
    )
    tools_used = pd.DataFrame(
        {
            "person_id": [2, 1],
            "tool": ["copilot", "claude_code"],
            "active_days": [3, 4],
            "tokens": [0, 10],
            "cost_usd": [0.0, 1.0],
        }
    )
    got = usage.unused_seats(seats, tools_used, d(1), d(1, 11))
    expected = pd.DataFrame(
        {"person_id": [1, 5, 7], "unused_seats": [1, 1, 1], "unused_seat_cost_usd": [19.0, 0.0, 19.0]}
    )
    assert_frame_equal(got, expected)

"""Usage and cost: what the AI tools consumed. Shown beside outcomes, never ranked on its own."""

from datetime import UTC, date, datetime, time

import pandas as pd

USAGE_SUMS = ["input_tokens", "output_tokens", "cost_usd"]


def usage_totals(usage: pd.DataFrame, by: str = "person_id") -> pd.DataFrame:
    """Per group: ``input_tokens``, ``output_tokens``, ``tokens = input + output``, ``cost_usd`` (sums)."""
    frame = usage.groupby(by)[USAGE_SUMS].sum()
    frame["tokens"] = frame["input_tokens"] + frame["output_tokens"]
    return frame.reset_index()


def priced(seats: pd.DataFrame, prices: dict[str, float]) -> pd.DataFrame:
    """``seats`` with ``monthly_cost_usd`` at the organisation's contract price (setting ``seat_prices``:
    ``"<tool>:<plan>"`` before ``"<tool>"``) where one is set, else the list price the tool reported."""
    if seats.empty or not prices:
        return seats
    plan = seats["tool"] + ":" + seats.get("plan_type", pd.Series(None, index=seats.index)).fillna("")
    contract = plan.map(prices).fillna(seats["tool"].map(prices))
    return seats.assign(monthly_cost_usd=contract.fillna(seats["monthly_cost_usd"]))


def seat_cost(seats: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Per person: ``seat_cost_usd = sum over their seats of monthly price x days held in [start, end) /
    days in the month``. A seat is held from its assignment (or the month's start) until it ended — gone
    from the tool's seat list — or its cancellation date, whichever comes first."""
    if seats.empty:
        return pd.DataFrame(columns=["person_id", "seat_cost_usd"])
    first, after = pd.Timestamp(start), pd.Timestamp(end)
    day = lambda column: pd.to_datetime(seats[column], utc=True).dt.tz_localize(None).dt.floor("D")  # noqa: E731
    since = day("assigned_at").fillna(first).clip(lower=first)
    until = pd.concat([day("ended_at"), day("pending_cancellation_date")], axis=1).min(axis=1)
    until = until.fillna(after).clip(upper=after)
    held = (until - since).dt.days.clip(lower=0)
    cost = seats["monthly_cost_usd"].fillna(0.0) * held / (after - first).days
    return cost.groupby(seats["person_id"]).sum().rename("seat_cost_usd").reset_index()


def unused_seats(seats: pd.DataFrame, tools_used: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Per person: ``unused_seats`` and ``unused_seat_cost_usd`` — seats held during the month (assigned
    before its end, not cancelled or ended — gone from the tool's seat list — before its start) whose tool shows no active day for that person in
    the month and whose last recorded activity (if any) is before the month."""
    if seats.empty:
        return pd.DataFrame(columns=["person_id", "unused_seats", "unused_seat_cost_usd"])
    month_start, month_end = (datetime.combine(d, time(0), tzinfo=UTC) for d in (start, end))
    assigned = pd.to_datetime(seats["assigned_at"], utc=True)
    last = pd.to_datetime(seats["last_activity_at"], utc=True)
    cancelled = pd.to_datetime(seats["pending_cancellation_date"])
    ended = pd.to_datetime(seats["ended_at"], utc=True)
    held = (
        (assigned.isna() | (assigned < month_end))
        & (cancelled.isna() | (cancelled >= pd.Timestamp(start)))
        & (ended.isna() | (ended >= month_start))
    )
    pair = ["person_id", "tool"]
    active = pd.MultiIndex.from_frame(tools_used.loc[tools_used["active_days"] > 0, pair])
    used = pd.Series(pd.MultiIndex.from_frame(seats[pair]).isin(active), index=seats.index)
    idle = held & ~used & (last.isna() | (last < month_start))
    unused = seats[idle].assign(cost=seats["monthly_cost_usd"].fillna(0.0))
    frame = unused.groupby("person_id").agg(unused_seats=("seat_id", "count"), unused_seat_cost_usd=("cost", "sum"))
    return frame.reset_index()

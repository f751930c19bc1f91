"""The API the app and exports call, end to end on a hand-made organisation (both backends)."""

from datetime import date, timedelta

import pandas as pd
import pytest
from builders import Org, at

from payoff.metrics import load, queries, records, tables
from payoff.store import db, org_settings, reads


@pytest.fixture
def small_org(db_url):
    """ana and bo in core, cy in web. October 2026: ana uses AI and merges two PRs (one AI-assisted by
    trailer, which later caused a bug); bo merges one PR without AI; cy burns tokens and ships nothing."""
    with db.session(db_url) as s:
        o = Org(s)
        for email, team in (("ana@x.io", "core"), ("bo@x.io", "core"), ("cy@x.io", "web")):
            o.person(email, team=team)
        o.usage("ana@x.io", date(2026, 10, 5), 600_000, 400_000, 10.0)
        first = o.pr(
            "ana@x.io",
            at(date(2026, 10, 6), 12),
            first_commit=at(date(2026, 10, 5), 12),
            first_review=at(date(2026, 10, 6), 2),
            signal=("trailer", "high"),
        )
        o.pr("ana@x.io", at(date(2026, 10, 20), 12), first_commit=at(date(2026, 10, 19), 0))
        o.pr("bo@x.io", at(date(2026, 10, 8), 12), first_commit=at(date(2026, 10, 8), 0))
        o.ticket("C-1", "ana@x.io", resolved=at(date(2026, 10, 9)), created=at(date(2026, 10, 1)), points=2)
        o.ticket("C-2", None, resolved=None, created=at(date(2026, 10, 12)), type="bug", caused_by=first)
        for day in range(1, 29):
            o.usage("cy@x.io", date(2026, 10, day), 1_500_000, 500_000, 40.0)
        o.agent_run("cy@x.io", 0, at(date(2026, 10, 3)), "fp")
        for n in range(1, 6):
            o.agent_run("cy@x.io", n, at(date(2026, 10, 3)), "fp")
        o.survey("ana@x.io", date(2026, 10, 5), 3.0)
    return db_url, o.ids


def test_person_month_by_hand(small_org):
    url, ids = small_org
    with db.session(url) as s:
        rows = {r["email"]: r for r in records.as_records(queries.person_month(s, month="2026-10"))}
    ana, bo, cy = rows["ana@x.io"], rows["bo@x.io"], rows["cy@x.io"]
    assert {
        k: ana[k]
        for k in (
            "team",
            "month",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "prs_merged",
            "pr_cycle_time_hours",
            "tickets_closed",
            "bugs_opened",
            "ai_assisted_pr_share",
            "ai_assisted_pr_share_high",
            "survey_hours_saved_per_week",
            "flags",
        )
    } == {
        "team": "core",
        "month": "2026-10",
        "input_tokens": 600_000,
        "output_tokens": 400_000,
        "cost_usd": 10.0,
        "prs_merged": 2,
        "pr_cycle_time_hours": 30.0,  # 24 and 36 hours from first commit
        "tickets_closed": 1,
        "bugs_opened": 1,
        "ai_assisted_pr_share": 0.5,
        "ai_assisted_pr_share_high": 0.5,  # the trailer PR (telemetry: same one)
        "survey_hours_saved_per_week": 3.0,
        "flags": [],
    }
    # units: 1 x (2 PRs - 0.5 x 1 buggy) + 0.5 x 2 points; ana's AI use began on the 5th: a partial month,
    # whose five days without tokens would flatter her value per token (with a whole month, below: 2.5)
    assert (ana["outcome_units"], ana["value_per_million_tokens"], ana["value_partial_from"]) == (
        2.5,
        None,
        date(2026, 10, 5),
    )
    assert ana["time_saved_hours_per_week"] is None and ana["time_saved_reason"].startswith("not enough data")
    assert (ana["active_days"], ana["cohort"], ana["tools"]) == (1, "light", ["claude_code"])
    assert bo["value_per_million_tokens"] is None and bo["flags"] == []  # a non-user is not penalised
    assert bo["time_saved_reason"] == "no AI use in the window"
    assert cy["flags"] == ["spend_without_outcomes", "repetitive_agent_runs"]
    # cy has no estimate of extra outcome units (no AI-free weeks to compare with), so no value per token
    assert (cy["cohort"], cy["value_per_million_tokens"]) == ("heavy", None)


def test_value_per_token_needs_an_estimate_of_extra_units(small_org):
    """ana also used AI in September, so October is a whole AI month for her; but with no weeks before
    adoption to compare with, the impact model has no extra units for her, and a value per token made of
    total units would reward spending: it stays empty, for her and for her team."""
    url, ids = small_org
    with db.session(url) as s:
        o = Org(s)
        o.ids.update(ids)
        o.usage("ana@x.io", date(2026, 9, 28), requests=1)
    with db.session(url) as s:
        ana = records.as_records(queries.person_month(s, month="2026-10", person_ids=[ids["ana@x.io"]]))[0]
        core = records.as_records(queries.team_month(s, month="2026-10", k=1))[0]
    assert (ana["value_per_million_tokens"], ana["value_per_100_usd"], ana["value_partial_from"]) == (None, None, None)
    assert (core["value_per_million_tokens"], core["value_people"]) == (None, 0)


def test_team_month_pools_and_suppresses(small_org):
    url, ids = small_org
    with db.session(url) as s:
        hidden = {r["team"]: r for r in records.as_records(queries.team_month(s, month="2026-10", k=2))}
        shown = {
            r["team"]: r
            for r in records.as_records(queries.team_month(s, month="2026-10", k=2, individuals_visible=True))
        }
        org_settings.put(s, "min_group_size", 3)
    with db.session(url) as s:
        by_setting = {r["team"]: r for r in records.as_records(queries.team_month(s, month="2026-10"))}
    core = hidden["core"]
    assert (core["people"], core["prs_merged"], core["pr_cycle_time_hours"], core["suppressed"]) == (2, 3, 24.0, False)
    assert core["ai_assisted_pr_share"] == pytest.approx(1 / 3)
    assert core["flags"] == []  # signals are personal
    assert hidden["web"]["suppressed"] and hidden["web"]["people"] == 1 and hidden["web"]["tokens"] is None
    assert shown["web"]["tokens"] == 56_000_000
    assert by_setting["core"]["suppressed"] and by_setting["core"]["prs_merged"] is None
    with db.session(url) as s:
        everyone = records.as_records(queries.org_month(s, month="2026-10"))
        pair = records.as_records(queries.org_month(s, month="2026-10", person_ids=[ids["ana@x.io"], ids["bo@x.io"]]))
    assert len(everyone) == 1 and everyone[0]["team"] == "(all)" and everyone[0]["people"] == 3
    assert (everyone[0]["prs_merged"], everyone[0]["tokens"]) == (3, 57_000_000)
    assert everyone[0]["pr_cycle_time_hours"] == 24.0 and not everyone[0]["suppressed"]
    assert pair[0]["suppressed"] and pair[0]["tokens"] is None  # two people under k = 3


def test_group_table_from_a_person_table_already_built(small_org):
    """A page that shows both tables builds the person table once; the group table is the same, and the
    person table handed in is left as it was."""
    url, _ = small_org
    with db.session(url) as s:
        data = load.load_month(s, "2026-10")
    persons = tables.person_table(data)
    before = persons.copy()
    for by in ("team", "manager_email"):  # a grouping column the person table lacks is added to a copy
        pd.testing.assert_frame_equal(tables.group_table(data, by, persons), tables.group_table(data, by))
    pd.testing.assert_frame_equal(persons, before)


def test_signals_time_saved_trend_and_comparison(small_org):
    url, ids = small_org
    with db.session(url) as s:
        signals = queries.waste_signals(s, month="2026-10", person_id=ids["cy@x.io"])
        saved = queries.time_saved(s, month="2026-10", person_id=ids["ana@x.io"])
        trend = queries.trend(s, person_ids=[ids["ana@x.io"], ids["bo@x.io"]], end_month="2026-10", months=2)
        hidden = queries.trend(
            s, person_ids=[ids["ana@x.io"]], end_month="2026-10", months=1, k=5, individuals_visible=False
        )
        compared = queries.ai_vs_other(s, month="2026-10", flag="ai_high").set_index(["side", "measure"])
    assert [x.name for x in signals] == ["spend_without_outcomes", "repetitive_agent_runs"]
    assert "fixer task fp: 6 runs" in signals[1].evidence
    assert saved["estimate"] is None and saved["survey_hours_saved_per_week"] == 3.0
    assert trend["month"].tolist() == ["2026-09", "2026-10"]
    assert trend["prs_merged"].tolist() == [0, 3] and trend["outcome_units"].tolist() == [0.0, 3.5]
    assert trend["adopters"].tolist() == [0, 1] and trend["people"].tolist() == [2, 2]
    assert hidden["suppressed"].all() and hidden["prs_merged"].isna().all()
    assert hidden["month"].tolist() == ["2026-10"]
    assert compared.loc[("ai_assisted", "bug_rate"), "estimate"] == 1.0
    assert compared.loc[("other", "cycle_time_hours"), "n"] == 2


MONDAYS = [date(2026, 5, 4) + timedelta(weeks=n) for n in range(26)]  # the weeks of the time-saved tests
TEAM = ("ana@x.io", "c1@x.io", "c2@x.io", "c3@x.io")  # ana, and three people who never use AI


def _team(session) -> Org:
    o = Org(session)
    for email in TEAM:
        o.person(email)
    return o


def test_time_saved_through_the_api_with_non_adopters_to_compare(sqlite_url):
    """ana adopts in week 9 and merges an extra PR every other week from then; three non-adopters stay flat."""
    with db.session(sqlite_url) as s:
        o = _team(s)
        for week, monday in enumerate(MONDAYS):
            o.pr("ana@x.io", at(monday + timedelta(days=1)))
            if week >= 8:
                o.usage("ana@x.io", monday, 1000, 100)
                if week % 2 == 0:
                    o.pr("ana@x.io", at(monday + timedelta(days=2)))
            for email in TEAM[1:]:
                o.pr(email, at(monday + timedelta(days=1 + week % 2)))
        o.survey("ana@x.io", date(2026, 10, 26), 10.0)
    with db.session(sqlite_url) as s:
        saved = queries.time_saved(s, month="2026-10", person_id=o.ids["ana@x.io"])
    # week effects 1 (non-adopters flat), ana's level 1: 18 units expected after adoption, 27 merged: output
    # +50 %, so the same output takes 1 / 1.5 of the time: 40 x 0.5 / 1.5 h a week freed
    assert (saved["weeks_before"], saved["weeks_after"], saved["controls"]) == (8, 18, 3)
    assert saved["output_gain"] == pytest.approx(0.5, abs=0.01)  # her own ratio, pooled toward the group's
    assert saved["estimate"] == pytest.approx(40 * saved["output_gain"] / (1 + saved["output_gain"]))
    assert saved["low"] <= saved["estimate"] <= saved["high"]
    assert saved["survey_agreement"] == ("survey lower" if saved["low"] > 10 else "within")


def test_time_saved_counts_only_weeks_every_outcome_source_covers(sqlite_url):
    """Jira was connected in week 4: from then on everyone also closes two tickets a week (unpointed, fixed by
    no PR: 0.1 unit each). Weeks 0-3 are 'not synced', not 'less output': counted, they would lower ana's
    baseline and raise her gain."""
    with db.session(sqlite_url) as s:
        o = _team(s)
        for week, monday in enumerate(MONDAYS):
            for email in TEAM:
                o.pr(email, at(monday + timedelta(days=1)))
                if week >= 4:
                    for day in (2, 3):
                        o.ticket(
                            f"T-{email[:2]}{week}{day}",
                            email,
                            resolved=at(monday + timedelta(days=day)),
                            created=at(monday),
                        )
            if week >= 10:
                o.usage("ana@x.io", monday, 1000, 100)
                if week % 2 == 0:
                    o.pr("ana@x.io", at(monday + timedelta(days=4)))
    with db.session(sqlite_url) as s:
        saved = queries.time_saved(s, month="2026-10", person_id=o.ids["ana@x.io"])
    assert (saved["weeks_before"], saved["weeks_after"], saved["baseline_units_per_week"]) == (6, 16, 1.2)
    assert saved["output_gain"] == pytest.approx(0.5 / 1.2, abs=0.01)  # half a PR more a week on 1.2 units


def test_an_empty_selection_gives_empty_tables(small_org):
    """A viewer who may see nobody gets empty tables, not an error."""
    url, _ = small_org
    with db.session(url) as s:
        empty = [
            queries.person_month(s, month="2026-10", person_ids=[]),
            queries.team_month(s, month="2026-10", person_ids=[]),
            queries.org_month(s, month="2026-10", person_ids=[]),
        ]
    assert [len(t) for t in empty] == [0, 0, 0]
    assert "time_saved_hours_per_week" in empty[1].columns


@pytest.mark.parametrize("who", ["everyone", "one team"])
def test_months_loaded_together_equal_months_loaded_one_by_one(demo_url, who):
    """``load_months`` reads each window once for all months and cuts it; every month's tables must be
    what loading that month alone gives (the demo organisation: adopters, regressors, reverts, bugs)."""
    months = ["2026-07", "2026-08", "2026-10"]  # a gap, so cutting by month is tested too
    with db.session(demo_url) as s:
        people = reads.people(s)
        ids = None if who == "everyone" else people.loc[people["team"] == people["team"].iloc[0], "person_id"]
        together = load.load_months(s, months, ids)
        alone = [load.load_month(s, month, ids) for month in months]
    for joint, single in zip(together, alone, strict=True):
        pd.testing.assert_frame_equal(tables.person_table(joint), tables.person_table(single))
        pd.testing.assert_frame_equal(tables.group_table(joint), tables.group_table(single))
        assert joint.reference_bad_rate == single.reference_bad_rate


def test_no_spend_without_outcomes_signal_for_a_role_without_delivery_work(db_url):
    with db.session(db_url) as s:
        o = Org(s)
        o.person("dev@x.io")
        o.person("director@x.io", role="leader", codes=False)
        for email in ("dev@x.io", "director@x.io"):
            o.usage(email, date(2026, 10, 5), 2_000_000, 0, 60.0)
    with db.session(db_url) as s:
        flags = dict(
            zip(*queries.person_month(s, month="2026-10")[["email", "flags"]].to_dict("list").values(), strict=True)
        )
    assert flags == {"dev@x.io": ["spend_without_outcomes"], "director@x.io": []}

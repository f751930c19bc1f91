"""The loaders on both backends: what SQL sums must equal what was written."""

from datetime import date

import pytest
from builders import Org, at

from sqlalchemy import update
from sqlmodel import select

from payoff.store import db, reads, rollups, writes
from payoff.store.models import AIUsageDaily, Identity, UsageWeek

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def org(db_url):
    with db.session(db_url) as s:
        o = Org(s)
        o.person("ana@x.io", team="core")
        o.person("bo@x.io", team="web")
        o.usage("ana@x.io", date(2026, 10, 5), 100, 10, 1.0, tool="cursor")
        o.usage("ana@x.io", date(2026, 10, 5), 50, 5, 0.5, tool="claude_code")  # same day, second tool
        o.usage("ana@x.io", date(2026, 10, 7), 10, 1, 0.0)  # a Wednesday of the same week
        o.usage("ana@x.io", date(2026, 10, 12), 0, 0, 0.0, requests=0)  # a row without activity
        o.usage("ana@x.io", date(2026, 9, 30), 1000, 0, 9.0)  # September
        writes.upsert(
            s,
            AIUsageDaily,
            [
                {
                    "id": "x:ghost",
                    "identity_id": "x:ghost",
                    "day": date(2026, 10, 5),
                    "tool": "cursor",
                    "source": "test",
                    "input_tokens": 999,
                }
            ],
        )  # unmatched
        first = o.pr("ana@x.io", at(date(2026, 10, 6)), signal=("trailer", "high"))
        bad = o.pr("ana@x.io", at(date(2026, 10, 13)))
        o.pr("ana@x.io", at(date(2026, 10, 14)), reverts=bad)
        o.pr("bo@x.io", at(date(2026, 9, 20)))  # merged before the month
        o.ticket("C-1", "ana@x.io", resolved=at(date(2026, 10, 8)), created=at(date(2026, 9, 1)), points=3)
        o.ticket("C-2", "ana@x.io", resolved=at(date(2026, 10, 9)), created=at(date(2026, 9, 1)), type="bug")
        o.ticket("C-3", None, resolved=None, created=at(date(2026, 10, 10)), type="bug", caused_by=first)
        o.agent_run("bo@x.io", 1, at(date(2026, 10, 2)), "fp1", tokens=10)
        o.agent_run("bo@x.io", 2, at(date(2026, 10, 3)), "fp1", tokens=20)
        o.survey("bo@x.io", date(2026, 10, 5), 2.5)
    return db_url, o.ids


def test_usage_is_summed_per_person_day_then_period(org):
    url, ids = org
    with db.session(url) as s:
        days = reads.active_days(s, start=date(2026, 9, 30), end=date(2026, 10, 7))
        weekly = reads.usage(s, start=OCT, end=NOV, grain="week")
        across = reads.usage(s, start=date(2026, 9, 28), end=NOV, grain="week")
        monthly = reads.usage(s, start=date(2026, 9, 1), end=NOV, grain="month")
        with pytest.raises(ValueError, match="Mondays or firsts of a month"):
            reads.usage(s, start=date(2026, 10, 2), end=NOV)
    # two tools on the 5th make one active day; the 7th is after the end; the zero row is no activity
    assert days.values.tolist() == [[ids["ana@x.io"], date(2026, 9, 30), 1], [ids["ana@x.io"], date(2026, 10, 5), 1]]
    assert weekly[["period", "active_days", "input_tokens", "output_tokens", "cost_usd"]].values.tolist() == [
        [date(2026, 10, 5), 2, 160, 16, 1.5],
        [date(2026, 10, 12), 0, 0, 0, 0.0],
    ]
    assert set(weekly["person_id"]) == {ids["ana@x.io"]}  # the unmatched row is left out
    # September 30th and the October days of the same week make one week: both parts summed
    assert across[["period", "active_days", "input_tokens"]].values.tolist() == [
        [date(2026, 9, 28), 1, 1000],
        [date(2026, 10, 5), 2, 160],
        [date(2026, 10, 12), 0, 0],
    ]
    assert monthly[["period", "active_days", "input_tokens"]].values.tolist() == [
        [date(2026, 9, 1), 1, 1000],
        [date(2026, 10, 1), 2, 160],
    ]


def test_the_rollup_follows_every_write(org):
    """Re-writing a day, adding one to a week part and moving rows to another person (rematch) all leave
    the rollup equal to one rebuilt from scratch."""
    url, ids = org
    ana = ids["ana@x.io"]

    def rolled(s):
        return sorted(
            tuple(r)
            for r in s.exec(
                select(UsageWeek.person_id, UsageWeek.week, UsageWeek.month, UsageWeek.day_mask, UsageWeek.input_tokens)
            )
        )

    with db.session(url) as s:
        o = Org(s)
        o.ids = ids
        o.usage("ana@x.io", date(2026, 10, 5), 1, 0, tool="cursor")  # overwrites 100 with 1
        o.usage("ana@x.io", date(2026, 10, 11), 5, 0)  # Sunday of the same week
        incremental = rolled(s)
        rollups.rebuild(s)
        assert rolled(s) == incremental
        assert (ana, date(2026, 10, 5), date(2026, 10, 1), 0b1000101, 66) in incremental
        writes.upsert(
            s,
            Identity,
            [{"id": f"t:{email}", "source": "t", "external_id": email, "person_id": pid} for email, pid in ids.items()],
        )
        s.exec(update(AIUsageDaily).where(AIUsageDaily.id == "x:ghost").values(identity_id="t:bo@x.io"))
        writes.rematch(s)
        assert (ids["bo@x.io"], date(2026, 10, 5), date(2026, 10, 1), 1, 999) in rolled(s)
        assert [r for r in rolled(s) if r[0] == ana] == [r for r in incremental if r[0] == ana]


def test_pull_requests_carry_bugs_reverts_and_signals(org):
    url, ids = org
    with db.session(url) as s:
        prs = reads.pull_requests(s, start=OCT, end=NOV)
        mine = reads.pull_requests(s, start=OCT, end=NOV, person_ids=[ids["bo@x.io"]])
        sig = reads.ai_signals(s, start=OCT, end=NOV)
        reference = reads.unsignalled_pr_quality(s, start=OCT, end=NOV)
    assert prs[["bugs_caused", "reverted"]].values.tolist() == [[1, False], [0, True], [0, False]]
    assert str(prs["merged_at"].dt.tz) == "UTC"
    assert mine.empty
    assert sig[["kind", "confidence"]].values.tolist() == [["trailer", "high"]]
    # the two PRs without signals, one of them reverted; both merged in October
    assert reference.values.tolist() == [[date(2026, 10, 1), 2, 1]]


def test_outcomes_per_week_tickets_bugs_runs_survey(org):
    url, ids = org
    ana, bo = ids["ana@x.io"], ids["bo@x.io"]
    with db.session(url) as s:
        weekly = reads.outcomes(s, start=OCT, end=NOV, grain="week")
        tickets = reads.tickets_closed(s, start=OCT, end=NOV)
        bugs = reads.bugs_opened(s, start=OCT, end=NOV)
        runs = reads.agent_repeats(s, start=OCT, end=NOV)
        answers = reads.survey(s, start=OCT, end=NOV)
        tools = reads.tools_used(s, start=OCT, end=NOV)
    # period, prs_merged, reverts, prs_buggy, pr_weight, pr_weight_buggy, tickets_closed, tickets_without_points,
    # story_points, bugs_fixed, points_counted, tickets_linked, tickets_loose
    assert weekly.drop(columns="person_id").values.tolist() == [
        # the first PR (60 lines: full weight) caused a bug; C-1 (3 points) and bug C-2 (no PR fixed it) closed
        [date(2026, 10, 5), 1, 0, 1, 1.0, 1.0, 2, 1, 3.0, 1, 3.0, 0, 1],
        [date(2026, 10, 12), 2, 1, 0, 0.0, 0.0, 0, 0, 0.0, 0, 0.0, 0, 0],
    ]  # a reverted PR and its revert: nothing
    assert sorted(tickets["ticket_id"]) == ["jira:C-1", "jira:C-2"]
    assert bugs[["ticket_id", "person_id"]].values.tolist() == [["jira:C-3", ana]]
    assert runs[["person_id", "task_fingerprint", "runs", "tokens"]].values.tolist() == [[bo, "fp1", 2, 30]]
    assert answers[["person_id", "hours_saved"]].values.tolist() == [[bo, 2.5]]
    assert tools[["tool", "active_days", "tokens"]].values.tolist() == [["claude_code", 2, 66], ["cursor", 1, 110]]


def test_what_outcome_units_are_made_of_resists_padding(db_url):
    """A tiny PR counts its floor, a 25-line one half; fixing a bug one caused oneself earns nothing (neither
    the fix PR nor the bug ticket), fixing someone else's earns both; an unpointed ticket counts as linked
    only when a merged PR fixes it."""
    with db.session(db_url) as s:
        o = Org(s)
        o.person("ana@x.io")
        o.person("bo@x.io")
        o.pr("ana@x.io", at(date(2026, 10, 5)), additions=2)  # tiny
        half = o.pr("ana@x.io", at(date(2026, 10, 5)), additions=25)
        buggy = o.pr("ana@x.io", at(date(2026, 10, 6)))
        own_fix = o.pr("ana@x.io", at(date(2026, 10, 7)))
        o.ticket(
            "B-1",
            "ana@x.io",
            resolved=at(date(2026, 10, 7)),
            created=at(date(2026, 10, 6)),
            type="bug",
            caused_by=buggy,
            fixed_by=own_fix,
        )
        other_fix = o.pr("bo@x.io", at(date(2026, 10, 7)))
        o.ticket(
            "B-2",
            "bo@x.io",
            resolved=at(date(2026, 10, 7)),
            created=at(date(2026, 10, 6)),
            type="bug",
            caused_by=half,
            fixed_by=other_fix,
        )
        o.ticket("T-1", "ana@x.io", resolved=at(date(2026, 10, 8)), created=at(date(2026, 10, 1)), fixed_by=half)
        o.ticket("T-2", "ana@x.io", resolved=at(date(2026, 10, 8)), created=at(date(2026, 10, 8)))
        got = reads.outcomes(s, start=OCT, end=NOV, grain="month").set_index("person_id")
        ana, bo = got.loc[o.ids["ana@x.io"]], got.loc[o.ids["bo@x.io"]]
    # ana: tiny 0.1 + half 0.5 + buggy 1 (not the own fix); buggy weight: half and buggy
    assert (ana["prs_merged"], ana["pr_weight"], ana["pr_weight_buggy"]) == (4, 1.6, 1.5)
    assert (ana["tickets_closed"], ana["tickets_linked"], ana["tickets_loose"]) == (3, 1, 1)  # B-1 left out
    assert (bo["pr_weight"], bo["tickets_linked"]) == (1.0, 1)  # someone else's bug, fixed: full credit

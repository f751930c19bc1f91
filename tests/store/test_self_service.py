"""What a person records on My payoff, and what the Admin page reads and changes, on both backends."""

from datetime import date

import pytest

from payoff.store import admin, db, self_service
from payoff.store.writes import set_state, upsert


@pytest.fixture
def people(db_url) -> dict[str, int]:
    with db.session(db_url) as s:
        upsert(
            s,
            "person",
            [
                {"email": "zoe@acme.test", "name": "Zoe", "role": "employee"},
                {"email": "abe@acme.test", "name": "Abe", "role": "manager"},
            ],
            on=["email"],
        )
        listed = admin.people(s)
    return dict(zip(listed["email"], listed["id"], strict=True))


def test_answering_a_week_again_replaces_the_answer(db_url, people):
    zoe = people["zoe@acme.test"]
    with db.session(db_url) as s:
        self_service.save_survey(s, person_id=zoe, week=date.today(), hours_saved=2, comment="  ")
        self_service.save_survey(s, person_id=zoe, week=date.today(), hours_saved=3.5, comment="tests")
    with db.session(db_url) as s:
        answers = self_service.survey_answers(s, person_id=zoe)
    assert answers[["hours_saved", "what_helped"]].values.tolist() == [[3.5, "tests"]]
    assert answers["week"][0].weekday() == 0


@pytest.mark.parametrize("hours", [-1, self_service.MAX_HOURS_SAVED + 0.5])
def test_hours_outside_the_one_limit_are_refused(db_url, people, hours):
    with db.session(db_url) as s, pytest.raises(ValueError, match="between 0 and 60"):
        self_service.save_survey(s, person_id=people["zoe@acme.test"], week=date.today(), hours_saved=hours, comment="")


def test_signal_notes_and_review_shares(db_url, people):
    zoe = people["zoe@acme.test"]
    with db.session(db_url) as s:
        self_service.add_signal_note(s, person_id=zoe, month="2026-10", signal="repetitive_agent_runs", note="x")
        self_service.add_signal_note(
            s, person_id=zoe, month="2026-10", signal="repetitive_agent_runs", note=" planned migration "
        )
        self_service.share_review(s, person_id=zoe, month="2026-10")
        self_service.share_review(s, person_id=zoe, month="2026-10")
    with db.session(db_url) as s:
        assert self_service.signal_notes(s, person_id=zoe, month="2026-10") == {
            "repetitive_agent_runs": "planned migration"
        }
        assert self_service.review_shared(s, person_id=zoe, month="2026-10")
        assert not self_service.review_shared(s, person_id=zoe, month="2026-09")


def test_admin_reads_and_role_change(db_url, people):
    with db.session(db_url) as s:
        admin.set_role(s, email="zoe@acme.test", role="leader", by="abe@acme.test")
        set_state(s, source="jira", stream="issues", scope="PAY", error="401")
        with pytest.raises(ValueError, match="role must be one of"):
            admin.set_role(s, email="abe@acme.test", role="owner", by="abe@acme.test")
    with db.session(db_url) as s:
        listed = admin.people(s)
        health = admin.connector_health(s)
    assert listed["name"].tolist() == ["Abe", "Zoe"]  # by name
    assert listed.set_index("email").loc["zoe@acme.test", "role"] == "leader"
    assert health[["source", "last_error"]].values.tolist() == [["jira", "401"]]

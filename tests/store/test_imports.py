"""Imports: what a good file writes, that a second import changes nothing, and that people re-match rows."""

from datetime import UTC, date, datetime
from functools import partial

import pytest

from sqlalchemy import delete, func, select
from sqlmodel import SQLModel

from payoff.store import db, imports, writes
from payoff.store.remap import remap
from payoff.store.models import AgentRun, AIUsageDaily, Identity, Person, PullRequest, SurveyResponse, Team

OCT_1 = datetime(2026, 10, 1, tzinfo=UTC)
PEOPLE = """email,name,team,manager_email,role,github_login,jira_account_id,cursor_email,openai_user_id
dana@corp.example,Dana Lead,Platform,,manager,DanaL,5b10ac8d82e05b22cc7d4ef5,,
ana@corp.example,Ana Ruiz,Platform,dana@corp.example,employee,Ana-R,5b10ac8d82e05b22cc7d4ef6,Ana@Corp.example,user-AbC1
bo@corp.example,Bo Chen,Platform,dana@corp.example,,bochen,,,
"""
USAGE = """date,email,tool,input_tokens,output_tokens,cost_usd,requests,agent,task_fingerprint,started_at
2026-10-05,ana@corp.example,claude_code,120000,8000,0.48,40,,,
2026-10-05,ANA@corp.example,claude_code,1000,100,0.01,2,,,
2026-10-05,ana@corp.example,autodev,50000,3000,0.2,,autodev,fp-1,2026-10-05T09:00:00Z
2026-10-05,ana@corp.example,autodev,52000,3100,0.21,,autodev,fp-1,2026-10-05T13:00:00+02:00
2026-10-06,bo@corp.example,cursor,90000,5000,0.3,,,,
"""
USAGE_JSONL = """{"date": "2026-10-07", "email": "bo@corp.example", "tool": "autodev", "input_tokens": 10, "output_tokens": 5, "cost_usd": 0.01, "task_fingerprint": "x"}

{"date": "2026-10-07", "email": "bo@corp.example", "tool": "autodev", "input_tokens": 20, "output_tokens": 5, "cost_usd": 0.02, "task_fingerprint": "x"}
"""
SURVEY = """week,email,hours_saved,comment
2026-10-07,ana@corp.example,3.5,"Agent wrote tests, mostly"
2026-10-12,bo@corp.example,0,
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in SQLModel.metadata.sorted_tables
        }


def test_people_import_creates_teams_people_and_identities_and_rematches(db_url, tmp_path):
    with db.session(db_url) as s:  # a PR synced before anyone imported its author
        writes.save_page(
            s,
            source="github",
            stream="pulls",
            scope="corp/api",
            rows={
                "identity": [{"id": "github:ana-r", "source": "github", "external_id": "ana-r"}],
                "pull_request": [
                    {
                        "id": "github:pr:corp/api:1",
                        "repo": "corp/api",
                        "number": 1,
                        "identity_id": "github:ana-r",
                        "state": "open",
                        "original_state": "open",
                        "created_at": OCT_1,
                        "updated_at": OCT_1,
                    }
                ],
            },
        )
    result = imports.import_people(write(tmp_path, "people.csv", PEOPLE), db_url)
    assert result == {"person": 3, "team": 1, "identity": 7}
    with db.session(db_url) as s:
        ana = s.exec(select(Person).where(Person.email == "ana@corp.example")).scalar_one()
        bo = s.exec(select(Person).where(Person.email == "bo@corp.example")).scalar_one()
        assert (ana.team, ana.manager_email, ana.role, bo.role) == (
            "Platform",
            "dana@corp.example",
            "employee",
            "employee",
        )
        identities = dict(s.execute(select(Identity.id, Identity.person_id)).all())
        assert {i for i, pid in identities.items() if pid == ana.id} == {
            "github:ana-r",
            "jira:5b10ac8d82e05b22cc7d4ef6",
            "cursor:ana@corp.example",
            "openai:user-AbC1",
        }
        assert s.get(PullRequest, "github:pr:corp/api:1").person_id == ana.id
        assert s.get(Team, "Platform") is not None


def test_usage_csv_and_jsonl_add_up_days_and_keep_agent_runs(db_url, tmp_path):
    imports.import_people(write(tmp_path, "people.csv", PEOPLE), db_url)
    assert imports.import_file(write(tmp_path, "usage.csv", USAGE), db_url, stream="usage")["agent_run"] == 2
    imports.import_file(write(tmp_path, "usage.jsonl", USAGE_JSONL), db_url, stream="usage")
    with db.session(db_url) as s:
        claude = s.get(AIUsageDaily, "claude_code:ana@corp.example:2026-10-05:claude_code")
        assert (claude.input_tokens, claude.output_tokens, claude.requests, claude.source) == (
            121000,
            8100,
            42,
            "import",
        )
        assert s.get(AIUsageDaily, "autodev:ana@corp.example:2026-10-05:autodev").input_tokens == 102000
        assert s.get(AIUsageDaily, "autodev:bo@corp.example:2026-10-07:autodev").input_tokens == 30
        runs = s.exec(select(AgentRun).order_by(AgentRun.id)).scalars().all()
        assert [r.task_fingerprint for r in runs] == ["fp-1", "fp-1", "x", "x"]
        assert {r.person_id for r in runs} == {
            s.exec(select(Person.id).where(Person.email == e)).scalar_one()
            for e in ("ana@corp.example", "bo@corp.example")
        }


def test_survey_weeks_are_mondays(db_url, tmp_path):
    imports.import_people(write(tmp_path, "people.csv", PEOPLE), db_url)
    imports.import_survey(write(tmp_path, "survey.csv", SURVEY), db_url)
    with db.session(db_url) as s:
        answer = s.get(SurveyResponse, "survey:ana@corp.example:2026-10-05")
        assert (answer.week, answer.hours_saved, answer.comment) == (
            date(2026, 10, 5),
            3.5,
            "Agent wrote tests, mostly",
        )
        assert s.get(SurveyResponse, "survey:bo@corp.example:2026-10-12").comment is None


def test_importing_every_file_twice_changes_nothing(db_url, tmp_path):
    files = [
        (imports.import_people, write(tmp_path, "people.csv", PEOPLE)),
        (partial(imports.import_file, stream="usage"), write(tmp_path, "usage.csv", USAGE)),
        (partial(imports.import_file, stream="usage"), write(tmp_path, "usage.jsonl", USAGE_JSONL)),
        (imports.import_survey, write(tmp_path, "survey.csv", SURVEY)),
    ]
    for load, path in files:
        load(path, db_url)
    first = counts(db_url)
    with db.session(db_url) as s:
        usage = s.execute(select(AIUsageDaily.id, AIUsageDaily.input_tokens, AIUsageDaily.cost_usd)).all()
    for load, path in files:
        load(path, db_url)
    assert counts(db_url) == first
    with db.session(db_url) as s:
        assert s.execute(select(AIUsageDaily.id, AIUsageDaily.input_tokens, AIUsageDaily.cost_usd)).all() == usage


def test_remap_rebuilds_imported_usage_from_its_raw_payloads(db_url, tmp_path):
    imports.import_people(write(tmp_path, "people.csv", PEOPLE), db_url)
    imports.import_file(write(tmp_path, "usage.csv", USAGE), db_url, stream="usage")
    with db.session(db_url) as s:
        usage = s.execute(select(AIUsageDaily.id, AIUsageDaily.person_id, AIUsageDaily.input_tokens)).all()
        runs = s.execute(select(AgentRun.id, AgentRun.person_id)).all()
        s.execute(delete(AgentRun))
        s.execute(delete(AIUsageDaily))
    with db.session(db_url) as s:
        assert remap(s, ["import"]) == {"import": 3}  # one payload per person, tool and day
    with db.session(db_url) as s:
        assert sorted(
            s.execute(select(AIUsageDaily.id, AIUsageDaily.person_id, AIUsageDaily.input_tokens)).all()
        ) == sorted(usage)
        assert sorted(s.execute(select(AgentRun.id, AgentRun.person_id)).all()) == sorted(runs) and len(runs) == 2


def test_people_file_marks_roles_without_delivery_work(db_url, tmp_path):
    header, *rows = PEOPLE.splitlines()
    people = "\n".join([header + ",codes", rows[0] + ",no", rows[1] + ",", rows[2] + ",yes"]) + "\n"
    imports.import_people(write(tmp_path, "people.csv", people), db_url)
    with db.session(db_url) as s:
        codes = dict(s.exec(select(Person.email, Person.codes)).all())
    assert codes == {"dana@corp.example": False, "ana@corp.example": True, "bo@corp.example": True}
    with pytest.raises(imports.BadFile, match="codes.*neither yes nor no"):
        imports.import_people(write(tmp_path, "bad.csv", people.replace(",,,no\n", ",,,maybe\n")), db_url)

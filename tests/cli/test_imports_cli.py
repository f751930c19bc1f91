"""``payoff import``: a bad file exits non-zero, says where (file, line, column) and writes nothing."""

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db
from tests.console_text import words

PEOPLE = b"""email,name,team,manager_email,role,github_login,jira_account_id
dana@corp.example,Dana Lead,Platform,,manager,danal,
ana@corp.example,Ana Ruiz,Platform,dana@corp.example,employee,ana-r,
"""
USAGE_HEADER = b"date,email,tool,input_tokens,output_tokens,cost_usd\n"
GOOD_USAGE = b"2026-10-05,ana@corp.example,cursor,100,10,0.1\n"

PR_HEADER = b"forge,repo,number,author,state,created_at,merged_at,reviews\n"
TICKET_HEADER = b"tracker,key,type,status,created_at,status_category,links\n"
BAD = {
    "missing column": (
        "usage",
        "u.csv",
        b"date,email,tool,input_tokens,output_tokens\n2026-10-05,a@b.c,x,1,1\n",
        1,
        '"cost_usd"',
    ),
    "bad date": (
        "usage",
        "u.csv",
        USAGE_HEADER + GOOD_USAGE + b"2026-13-01,ana@corp.example,cursor,1,1,0\n",
        3,
        '"date"',
    ),
    "negative tokens": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2026-10-05,ana@corp.example,cursor,-5,1,0\n",
        2,
        '"input_tokens"',
    ),
    "non-numeric tokens": (
        "usage",
        "u.csv",
        USAGE_HEADER + GOOD_USAGE + b"2026-10-05,ana@corp.example,cursor,1,lots,0\n",
        3,
        '"output_tokens"',
    ),
    "negative cost": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2026-10-05,ana@corp.example,cursor,1,1,-0.5\n",
        2,
        '"cost_usd"',
    ),
    "unknown person": (
        "usage",
        "u.csv",
        USAGE_HEADER + GOOD_USAGE + b"2026-10-05,zed@corp.example,cursor,1,1,0\n",
        3,
        '"email"',
    ),
    "undecodable bytes": (
        "usage",
        "u.csv",
        USAGE_HEADER + GOOD_USAGE + b"2026-10-05,an\xff@corp.example,cursor,1,1,0\n",
        3,
        "14",
    ),
    "empty file": ("usage", "u.csv", b"", 1, "1"),
    "header only": ("usage", "u.csv", USAGE_HEADER, 2, "1"),
    "unknown column": (
        "usage",
        "u.csv",
        b"date,email,tool,input_tokens,output_tokens,cost_usd,lines_acepted\n"
        b"2026-10-05,ana@corp.example,cursor,1,1,0,4\n",
        1,
        '"lines_acepted"',
    ),
    "short row": ("usage", "u.csv", USAGE_HEADER + b"2026-10-05,ana@corp.example,cursor,1\n", 2, "5"),
    "agent run without fingerprint": (
        "usage",
        "u.csv",
        b"date,email,tool,input_tokens,output_tokens,cost_usd,agent\n"
        b"2026-10-05,ana@corp.example,autodev,1,1,0,autodev\n",
        2,
        '"task_fingerprint"',
    ),
    "jsonl not json": (
        "usage",
        "u.jsonl",
        b'{"date": "2026-10-05", "email": "ana@corp.example", "tool": "cursor", '
        b'"input_tokens": 1, "output_tokens": 1, "cost_usd": 0}\n{"date": \n',
        2,
        "10",
    ),
    "jsonl negative tokens": (
        "usage",
        "u.jsonl",
        b'{"date": "2026-10-05", "email": "ana@corp.example", '
        b'"tool": "cursor", "input_tokens": -1, "output_tokens": 1, '
        b'"cost_usd": 0}\n',
        1,
        '"input_tokens"',
    ),
    "jsonl missing field": (
        "usage",
        "u.jsonl",
        b'{"date": "2026-10-05", "email": "ana@corp.example", "tool": "cursor"}\n',
        1,
        '"input_tokens"',
    ),
    "people bad role": (
        "people",
        "p.csv",
        PEOPLE + b"bo@corp.example,Bo,Platform,dana@corp.example,boss,bo,\n",
        4,
        '"role"',
    ),
    "people bad email": ("people", "p.csv", PEOPLE + b"bo-at-corp,Bo,Platform,,employee,bo,\n", 4, '"email"'),
    "people twice": ("people", "p.csv", PEOPLE + b"ANA@corp.example,Ana,Platform,,employee,,\n", 4, '"email"'),
    "people unknown manager": (
        "people",
        "p.csv",
        PEOPLE + b"bo@corp.example,Bo,Platform,x@corp.example,,bo,\n",
        4,
        '"manager_email"',
    ),
    "people same login twice": (
        "people",
        "p.csv",
        PEOPLE + b"bo@corp.example,Bo,Platform,,employee,Ana-R,\n",
        4,
        '"github_login"',
    ),
    "people unknown column": (
        "people",
        "p.csv",
        b"email,name,team,manager_email,role,github_login,jira_account_id,nickname\n",
        1,
        '"nickname"',
    ),
    "survey unknown person": (
        "survey",
        "s.csv",
        b"week,email,hours_saved\n2026-10-05,zed@corp.example,2\n",
        2,
        '"email"',
    ),
    "survey same week twice": (
        "survey",
        "s.csv",
        b"week,email,hours_saved\n2026-10-05,ana@corp.example,2\n2026-10-07,ana@corp.example,3\n",
        3,
        '"week"',
    ),
    "survey bad hours": (
        "survey",
        "s.csv",
        b"week,email,hours_saved\n2026-10-05,ana@corp.example,a lot\n",
        2,
        '"hours_saved"',
    ),
    "survey hours above the form's limit": (
        "survey",
        "s.csv",
        b"week,email,hours_saved\n2026-10-05,ana@corp.example,61\n",
        2,
        '"hours_saved"',
    ),
    "usage field of 2 MB": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2026-10-05,ana@corp.example,x" + b"y" * 2_000_000 + b",1,1,0\n",
        2,
        "3",
    ),
    "usage tool name too long": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2026-10-05,ana@corp.example," + b"t" * 201 + b",1,1,0\n",
        2,
        '"tool"',
    ),
    "usage count beyond BIGINT": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2026-10-05,ana@corp.example,cursor,12345678901234567890123,1,0\n",
        2,
        '"input_tokens"',
    ),
    "usage date a century ahead": (
        "usage",
        "u.csv",
        USAGE_HEADER + b"2126-10-05,ana@corp.example,cursor,1,1,0\n",
        2,
        '"date"',
    ),
    "merged without a time": (
        "prs",
        "p.csv",
        PR_HEADER + b"gitlab,a/b,1,ana,merged,2026-10-01T09:00:00Z,,\n",
        2,
        '"merged_at"',
    ),
    "unknown state": (
        "prs",
        "p.csv",
        PR_HEADER + b"gitlab,a/b,1,ana,open,2026-10-01T09:00:00Z,,\ngitlab,a/b,2,ana,pending,2026-10-01T09:00:00Z,,\n",
        3,
        '"state"',
    ),
    "bad review": (
        "prs",
        "p.csv",
        PR_HEADER + b"gitlab,a/b,1,ana,open,2026-10-01T09:00:00Z,,bo APPROVED\n",
        2,
        '"reviews"',
    ),
    "pull request twice": (
        "prs",
        "p.csv",
        PR_HEADER + b"gitlab,a/b,1,ana,open,2026-10-01T09:00:00Z,,\ngitlab,A/B,1,ana,open,2026-10-02T09:00:00Z,,\n",
        3,
        "1",
    ),
    "forge with spaces": (
        "prs",
        "p.csv",
        PR_HEADER + b"Azure DevOps,a/b,1,ana,open,2026-10-01T09:00:00Z,,\n",
        2,
        '"forge"',
    ),
    "jsonl missing author": (
        "prs",
        "p.jsonl",
        b'{"forge": "gitlab", "repo": "a/b", "number": 1, "state": "open", "created_at": "2026-10-01T09:00:00Z"}\n',
        1,
        '"author"',
    ),
    "bad status category": (
        "tickets",
        "t.csv",
        TICKET_HEADER + b"linear,ENG-1,Bug,Open,2026-10-01T09:00:00Z,someday,\n",
        2,
        '"status_category"',
    ),
    "link without a type": (
        "tickets",
        "t.csv",
        TICKET_HEADER + b"linear,ENG-1,Bug,Open,2026-10-01T09:00:00Z,,ENG-2\n",
        2,
        '"links"',
    ),
    "pr author too long": (
        "prs",
        "p.csv",
        PR_HEADER + b"gitlab,a/b,1," + b"a" * 201 + b",open,2026-10-01T09:00:00Z,,\n",
        2,
        '"author"',
    ),
    "ticket without created_at": (
        "tickets",
        "t.csv",
        b"tracker,key,type,status\nlinear,ENG-1,Bug,Open\n",
        1,
        '"created_at"',
    ),
}


def invoke(*args: str):
    return CliRunner().invoke(cli, ["import", *args])


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in SQLModel.metadata.sorted_tables
        }


def import_people(url: str, tmp_path) -> str:
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE)
    assert invoke("people", str(path)).exit_code == 0
    return url


@pytest.fixture
def people_imported(db_url, tmp_path) -> str:
    return import_people(db_url, tmp_path)


@pytest.fixture
def people_imported_sqlite(sqlite_url, tmp_path) -> str:
    """Checking a file happens before any write, so the bad-file cases need not run on each backend."""
    return import_people(sqlite_url, tmp_path)


@pytest.mark.parametrize("case", BAD)
def test_bad_file_is_refused_with_its_place_and_writes_nothing(case, people_imported_sqlite, tmp_path):
    command, name, content, line, column = BAD[case]
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(people_imported_sqlite)
    result = invoke(command, str(path))
    message = words(result.output)
    assert result.exit_code == 1, message
    assert f"{path.name}, line {line}, column {column}:" in message.replace(f"{tmp_path}/", "")
    assert "Nothing was imported" in message
    assert counts(people_imported_sqlite) == before


def test_good_files_import_twice_to_the_same_rows(people_imported, tmp_path):
    usage = tmp_path / "usage.csv"
    usage.write_bytes(USAGE_HEADER + GOOD_USAGE)
    survey = tmp_path / "survey.csv"
    survey.write_bytes(b"week,email,hours_saved,comment\n2026-10-05,ana@corp.example,2,fine\n")
    for _ in range(2):
        for command, path in (("people", tmp_path / "people.csv"), ("usage", usage), ("survey", survey)):
            result = invoke(command, str(path))
            assert result.exit_code == 0, result.output
        if _ == 0:
            first = counts(people_imported)
    assert counts(people_imported) == first
    assert (first["person"], first["ai_usage_daily"], first["survey_response"]) == (2, 1, 1)


def test_missing_file_is_a_usage_error(people_imported, tmp_path):
    result = invoke("usage", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "does not exist" in words(result.output)

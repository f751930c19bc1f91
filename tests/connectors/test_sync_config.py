"""payoff.toml: `payoff sync` with no source syncs everything it configures (GitHub and Jira on loopback
fakes), `payoff sync <source>` takes the file's options under its flags, `payoff config check` tests the
credentials, and a mistake in the file is named with its line."""

import re
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db, org_settings
from payoff.store.config_file import ConfigError, load
from payoff.store.models import Person, PullRequest, Ticket
from tests.connectors.github_fake import TOKEN, FakeGitHub, pull
from tests.connectors.jira_fake import API_TOKEN, EMAIL, FakeJira, issue, user
from tests.console_text import words

PEOPLE = """email,name,team,manager_email,role,github_login,jira_account_id
ana@acme.test,Ana Lima,Platform,,manager,ana,
bo@acme.test,Bo Berg,Platform,ana@acme.test,employee,bo,
"""


@pytest.fixture
def sources(api) -> tuple[FakeGitHub, FakeJira]:
    """GitHub and Jira on one loopback server: two repositories, two Jira issues."""
    github = FakeGitHub(api)
    github.add("acme/api", pull("acme/api", 1, login="ana", created="2026-03-01T10:00:00Z"))
    github.add("acme/web", pull("acme/web", 1, login="bo", created="2026-03-02T10:00:00Z"))
    jira = FakeJira(api, cloud=True, projects=("ABC",))
    jira.add(
        issue("ABC-1", updated="2026-03-02T10:00:00.000+0000", assignee=user("ana"), points_field=jira.points_field),
        issue("ABC-2", updated="2026-03-03T10:00:00.000+0000", points_field=jira.points_field),
    )
    return github, jira


@pytest.fixture
def configured(sources, sqlite_url, tmp_path, monkeypatch) -> Path:
    github, jira = sources
    (tmp_path / "people.csv").write_text(PEOPLE)
    config = tmp_path / "payoff.toml"
    config.write_text(f"""\
[people]
file = "people.csv"

[sources.jira]
server = "{jira.api.url}"
project = ["ABC"]

[sources.github]
org = "acme"
base-url = "{github.base_url}"

[settings]
min_group_size = 3

[schedule]
sync = "0 * * * *"
deliver = "0 7 2 * *"
""")
    for name, value in {
        "PAYOFF_CONFIG": str(config),
        "GITHUB_TOKEN": TOKEN,
        "JIRA_EMAIL": EMAIL,
        "JIRA_API_TOKEN": API_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    return config


def test_sync_without_a_source_syncs_people_outcomes_then_usage_with_one_summary(configured, sqlite_url):
    result = CliRunner().invoke(cli, ["sync"])
    assert result.exit_code == 0, result.output
    text = words(result.output)
    # The summary table: one row per source in order (people, then GitHub and Jira), and the total.
    rows = re.findall(r"(people|github|jira|total) ([\d,]+) ([\d,]+|-) ([\d.]+) s ok", text)
    assert [r[0] for r in rows] == ["people", "github", "jira", "total"]
    by_source = {r[0]: r for r in rows}
    assert by_source["github"][2] == "9"  # the repository list, a page per repository, 3 per pull request
    assert by_source["people"][1:3] == ("4", "-")  # two people and their two GitHub logins; no API
    assert "Settings seeded from payoff.toml: min_group_size" in text
    with db.session(sqlite_url) as s:
        assert len(s.exec(select(Person)).all()) == 2
        prs = s.exec(select(PullRequest)).all()
        assert {(p.repo, p.person_id is not None) for p in prs} == {("acme/api", True), ("acme/web", True)}
        assert {t.key for t in s.exec(select(Ticket))} == {"ABC-1", "ABC-2"}
        assert org_settings.get(s, "min_group_size") == 3


def test_flags_override_the_file(configured, sqlite_url, sources):
    result = CliRunner().invoke(cli, ["sync", "github", "--repo", "web"])
    assert result.exit_code == 0, result.output
    with db.session(sqlite_url) as s:
        assert {p.repo for p in s.exec(select(PullRequest))} == {"acme/web"}


def test_config_check_tests_every_credential(configured, monkeypatch):
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "every source answered" in words(result.output)
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("JIRA_API_TOKEN", "wrong")
    result = CliRunner().invoke(cli, ["config", "check"])
    text = words(result.output)
    assert result.exit_code == 1
    assert "GITHUB_TOKEN not set" in text and "refused" in text and "wrong" not in text


def test_crontab_follows_the_schedule(configured):
    result = CliRunner().invoke(cli, ["config", "crontab"])
    assert result.exit_code == 0
    assert (
        f"0 * * * *  payoff  set -a; . /etc/payoff/payoff.env; PAYOFF_CONFIG={configured} payoff sync" in result.output
    )
    assert "0 7 2 * *" in result.output and "payoff deliver" in result.output


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ('[sources.github]\norg = "acme"\nrepos = ["api"]\n', 3, "unknown key 'repos' in [sources.github]"),
        ('[sources.github]\norg = "acme"\n\n[sources.jira]\nserver = 42\n', 5, "server must be a string"),
        ('[sources.github]\norg = "acme"\ntoken = "ghp_x"\n', 3, "token looks like a secret"),
        ('# sources\n\n[sources.jira]\nproject = ["A"]\n', 3, "[sources.jira] needs server"),
        ("[sources.gitlab]\n", 1, "unknown source [sources.gitlab]"),
        ('[settings]\nmin_group_size = "five"\n', 2, "min_group_size must be int"),
        ('[settings]\nindividual_visibility = "all"\n', 2, "individual_visibility must be one of"),
        ('[schedule]\nsync = "hourly"\n', 2, "five fields"),
        ('[database]\nurl = "x"\n', 1, "unknown section [database]"),
        ("[sources.github\n", 1, "not valid TOML"),
    ],
)
def test_mistakes_name_the_line(tmp_path, text, line, problem):
    path = tmp_path / "payoff.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load(path)
    assert raised.value.line == line and problem in raised.value.problem, raised.value


def test_a_bad_file_stops_sync_with_its_line(configured):
    configured.write_text(configured.read_text().replace('org = "acme"', 'org = ["acme"]'))
    result = CliRunner().invoke(cli, ["sync"])
    assert result.exit_code == 2
    assert "line 9: org must be a string" in words(result.output)


def test_the_file_is_found_beside_the_database_else_in_the_working_folder(tmp_path, monkeypatch):
    from payoff.store.config_file import default_path

    home, elsewhere = tmp_path / "data", tmp_path / "work"
    home.mkdir(), elsewhere.mkdir()
    monkeypatch.delenv("PAYOFF_CONFIG", raising=False)
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("PAYOFF_DATABASE_URL", f"sqlite:///{home / 'payoff.db'}")
    assert default_path() == elsewhere / "payoff.toml"  # none beside the database yet
    (home / "payoff.toml").write_text("")
    assert default_path() == home / "payoff.toml"
    monkeypatch.setenv("PAYOFF_CONFIG", str(tmp_path / "other.toml"))
    assert default_path() == tmp_path / "other.toml"

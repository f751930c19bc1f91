"""``payoff seed-demo`` and the seed-if-empty step of ``payoff demo``."""

from sqlalchemy import func, select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db
from payoff.store.demo import seed_if_empty
from payoff.store.models import Person, PullRequest
from tests.console_text import words


def people_and_prs(url: str) -> tuple[int, int]:
    with db.session(url) as s:
        return (
            s.execute(select(func.count()).select_from(Person)).scalar_one(),
            s.execute(select(func.count()).select_from(PullRequest)).scalar_one(),
        )


def test_seed_demo_writes_the_asked_size_and_reruns_to_the_same_rows(sqlite_url):
    args = ["seed-demo", "--people", "12", "--months", "2", "--seed", "3", "--end", "2026-10"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "12 people" in words(result.output)
    first = people_and_prs(sqlite_url)
    assert first[0] == 12 and first[1] > 0
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert people_and_prs(sqlite_url) == first


def test_seed_demo_refuses_a_bad_month(sqlite_url):
    result = CliRunner().invoke(cli, ["seed-demo", "--end", "2026-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    assert people_and_prs(sqlite_url) == (0, 0)


def test_seed_if_empty_seeds_once(sqlite_url):
    assert seed_if_empty(sqlite_url) is True
    assert people_and_prs(sqlite_url)[0] == 60
    assert seed_if_empty(sqlite_url) is False

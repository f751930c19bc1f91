"""Migrations are append-only: every database, whatever revision it was made at, upgrades to the models' schema
with its rows kept, and a database at another revision is refused with a message that says what to do."""

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db

CHAIN = [
    s.revision for s in reversed(list(ScriptDirectory.from_config(db.alembic_config("sqlite://")).walk_revisions()))
]


def _at_revision(url: str, revision: str) -> None:
    cfg = db.alembic_config(url)
    with db.engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def _empty(request, tmp_path) -> str:
    """A database with no tables yet, on the backend the test is parametrised with."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'chain.db'}"
    admin = sa.create_engine(request.getfixturevalue("postgres_database"), isolation_level="AUTOCOMMIT")
    name = f"chain_{tmp_path.name[-20:].replace('-', '_').lower()}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    request.addfinalizer(lambda: _drop(admin, name))
    return str(admin.url.set(database=name).render_as_string(hide_password=False))


def _drop(admin, name: str) -> None:
    db.engine(str(admin.url.set(database=name).render_as_string(hide_password=False))).dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> str:
    return _empty(request, tmp_path)


def test_the_chain_has_one_head_and_starts_with_the_frozen_first_revision():
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, "two revisions share a parent: re-point the newer one's down_revision"
    assert CHAIN[0] == "0001"


@pytest.mark.parametrize("revision", CHAIN)
def test_a_database_made_at_any_revision_upgrades_to_the_models_with_its_rows(empty_url, revision):
    _at_revision(empty_url, revision)
    with db.engine(empty_url).begin() as connection:
        connection.execute(sa.text("INSERT INTO team (name) VALUES ('Platform')"))
    db.upgrade(empty_url)
    with db.engine(empty_url).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
        assert connection.execute(sa.text("SELECT name FROM team")).scalars().all() == ["Platform"]
    assert db.current_revision(empty_url) == db.head_revision()


def test_the_working_hours_an_admin_stored_become_the_delivery_hours(empty_url):
    from sqlmodel import Session

    from payoff.store import org_settings

    _at_revision(empty_url, "0006_payloads_copilot_credits")
    with db.engine(empty_url).begin() as connection:
        connection.execute(sa.text("INSERT INTO setting (key, value) VALUES ('work_hours_per_week', '32')"))
    db.upgrade(empty_url)
    with Session(db.engine(empty_url)) as session:
        stored = org_settings.get_all(session)
    assert stored["delivery_hours_per_week"] == 32 and "work_hours_per_week" not in stored


def test_migrations_match_the_models(db_url):
    """Fails when a model changes without a migration (see docs/development.md)."""
    assert db.schema_drift(db_url) == []


def test_upgrade_is_idempotent(db_url):
    db.upgrade(db_url)
    db.upgrade(db_url)
    db.check(db_url)


def test_an_older_database_is_refused_with_the_command_that_fixes_it(empty_url):
    with pytest.raises(db.SchemaMismatch, match=r"none \(empty\), this Payoff needs .*run `payoff db upgrade`"):
        db.check(empty_url)


def _set_revision(url: str, revision: str) -> None:
    with db.engine(url).begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_a_database_from_a_newer_payoff_is_refused_not_migrated(db_url):
    _set_revision(db_url, "9999_from_the_future")
    try:
        for act in (db.check, db.upgrade):
            with pytest.raises(db.SchemaMismatch, match="9999_from_the_future, which this Payoff does not know"):
                act(db_url)
    finally:  # the PostgreSQL database is shared by the session's tests
        _set_revision(db_url, db.head_revision())


def test_payoff_db_check_names_tables_that_differ_from_the_models(db_url):
    assert CliRunner().invoke(cli, ["db", "check"]).exit_code == 0
    with db.engine(db_url).begin() as connection:
        connection.execute(sa.text("ALTER TABLE team ADD COLUMN left_by_an_old_build INTEGER"))
    try:
        result = CliRunner().invoke(cli, ["db", "check"])
        assert result.exit_code == 1 and "left_by_an_old_build" in result.output and "recreate" in result.output
    finally:  # the PostgreSQL database is shared by the session's tests
        with db.engine(db_url).begin() as connection:
            connection.execute(sa.text("ALTER TABLE team DROP COLUMN left_by_an_old_build"))


def test_the_dashboard_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from payoff.app import main

    monkeypatch.setenv("PAYOFF_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    at = AppTest.from_file(main.__file__, default_timeout=60).run()
    assert "run `payoff db upgrade`" in at.error[0].value
    assert not at.button, "no sign-in is offered on a database the dashboard was not built for"

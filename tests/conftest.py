"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when PAYOFF_TEST_POSTGRES_URL is set."""

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import SQLModel

from payoff.store import db

POSTGRES_URL = os.environ.get("PAYOFF_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "payoff.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    db.engine(url).dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_database():
    """A throw-away PostgreSQL database for this test session, migrated once."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need PAYOFF_TEST_POSTGRES_URL (CI sets it)")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"payoff_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    yield url
    db.engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_copy(template: str, tmp_path) -> str:
    path = tmp_path / "payoff.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _emptied_postgres(url: str) -> str:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine(url).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, monkeypatch) -> str:
    """An empty, migrated database on each backend; PAYOFF_DATABASE_URL points at it."""
    if request.param == "sqlite":
        url = _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        url = _emptied_postgres(request.getfixturevalue("postgres_database"))
    monkeypatch.setenv("PAYOFF_DATABASE_URL", url)
    return url


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path, monkeypatch) -> str:
    """An empty, migrated SQLite database, for tests whose subject is not the storage backend."""
    url = _sqlite_copy(sqlite_template, tmp_path)
    monkeypatch.setenv("PAYOFF_DATABASE_URL", url)
    return url

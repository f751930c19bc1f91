from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from payoff.store import db


def test_migrations_match_the_models(db_url):
    """Fails when a model changes without a migration (see docs/development.md)."""
    with db.engine(db_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []


def test_upgrade_is_idempotent(db_url):
    db.upgrade(db_url)
    db.upgrade(db_url)

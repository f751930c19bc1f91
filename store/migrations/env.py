"""Alembic environment: runs on the connection ``store.db.upgrade`` hands over, or on the configured URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import payoff.store.models  # noqa: F401  (registers every table on the metadata)
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as conn:
        run(conn)

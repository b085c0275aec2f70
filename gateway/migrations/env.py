"""Alembic environment: runs on a connection handed over by `gateway.database` (async engines)."""

from alembic import context
from sqlmodel import SQLModel

from gateway.database import import_models

import_models()
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

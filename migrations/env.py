"""Alembic environment: on a connection handed over by `migrations.upgrade` (the platform's start-up), or, from
the `alembic` command line (`alembic revision --autogenerate`, `alembic check`), on the database that
`LGSP_DATABASE_URL` names (default: the embedded SQLite file in `LGSP_DATA_DIR`)."""

import asyncio
import os
from pathlib import Path

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from migrations import import_models

import_models()
target_metadata = SQLModel.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    data_dir = Path(os.environ.get("LGSP_DATA_DIR", ".lgsp"))
    return os.environ.get("LGSP_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'lgsp.db'}"


async def run_on_own_engine() -> None:
    engine = create_async_engine(database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


handed_over = context.config.attributes.get("connection")
if handed_over is not None:
    run_migrations(handed_over)
else:
    asyncio.run(run_on_own_engine())

"""The platform's one migration tree (Alembic): every domain's tables, and a database's state relative to them.

Each domain defines its own tables (`registry/*/models.py`, `gateway/oauth/models.py`,
`gateway/exchangelog/models.py`); this tree sees them all, so it is imported only by start-up (`lgsp up`,
`lgsp db upgrade`) and by `alembic` itself (`alembic.ini` at the repository root).
"""

import importlib
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent


class SchemaState(StrEnum):
    EMPTY = "empty"
    BEHIND = "behind"
    CURRENT = "current"


MODEL_MODULES = (
    "registry.agencies.models",
    "registry.databases.models",
    "registry.contracts.models",
    "registry.clients.models",
    "registry.grants.models",
    "registry.access.models",
    "registry.backends.models",
    "registry.succession.models",
    "gateway.oauth.models",
    "gateway.exchangelog.models",
    "federation.models",
    "federation.grants",
    "federation.reports_models",
)


def import_models() -> None:
    """Import every table so that the metadata is complete."""
    for module in MODEL_MODULES:
        importlib.import_module(module)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _state(connection: Connection) -> SchemaState:
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return SchemaState.EMPTY
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return SchemaState.CURRENT if current == head else SchemaState.BEHIND


async def schema_state(engine: AsyncEngine) -> SchemaState:
    async with engine.connect() as connection:
        return await connection.run_sync(_state)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))

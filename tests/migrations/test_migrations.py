"""The one migration tree agrees with every domain's table definitions, and `alembic` runs from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

from migrations import SchemaState, import_models, schema_state, upgrade
from registry.storage import create_engine

ROOT = Path(__file__).resolve().parents[2]


def _differences(connection: Connection) -> list[object]:
    import_models()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


class TestModelsAndMigrationsAgree:
    async def test_a_database_upgraded_to_head_has_exactly_the_models_tables(self, database_url: str) -> None:
        engine = create_engine(database_url)
        try:
            assert await schema_state(engine) is SchemaState.EMPTY
            await upgrade(engine)
            assert await schema_state(engine) is SchemaState.CURRENT
            async with engine.connect() as connection:
                differences = await connection.run_sync(_differences)
        finally:
            await engine.dispose()
        assert differences == []


class TestAlembicCommandLine:
    def test_alembic_upgrades_and_checks_the_database_named_by_the_settings(self, tmp_path: Path) -> None:
        env = os.environ | {"LGSP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}"}
        alembic = [sys.executable, "-m", "alembic", "-c", str(ROOT / "alembic.ini")]
        upgraded = subprocess.run([*alembic, "upgrade", "head"], env=env, capture_output=True, text=True)
        assert upgraded.returncode == 0, upgraded.stderr
        checked = subprocess.run([*alembic, "check"], env=env, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        assert "No new upgrade operations detected" in checked.stdout + checked.stderr

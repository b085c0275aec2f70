"""`lgsp seed demo`: load the demo province into the registry, through the registry's own services.

Idempotent: what exists is brought up to date, identical contract versions are recognised, nothing is doubled.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.document import version_key
from registry.agencies.models import AgencyTier
from registry.agencies.repository import AgencyRepository
from registry.agencies.schemas import AgencyCreate, AgencyUpdate
from registry.agencies.service import AgencyService
from registry.auth import ADMIN_SCOPE, MANAGE_SCOPE, Principal
from registry.contracts.service import ContractService
from registry.databases.models import DatabaseStatus
from registry.databases.repository import DatabaseRepository
from registry.databases.schemas import DatabaseCreate, DatabaseUpdate
from registry.databases.service import DatabaseService
from registry.demo import Province, contract_files, load_province
from registry.events import EventSink, discard


@dataclass
class SeedReport:
    agencies_created: int = 0
    agencies_updated: int = 0
    databases_created: int = 0
    databases_updated: int = 0
    contracts_registered: int = 0
    contracts_unchanged: int = 0

    def summary(self) -> str:
        return (
            f"agencies: {self.agencies_created} created, {self.agencies_updated} updated; "
            f"databases: {self.databases_created} created, {self.databases_updated} updated; "
            f"contracts: {self.contracts_registered} registered, {self.contracts_unchanged} unchanged"
        )


def seeder(province: str) -> Principal:
    """The operator seeding its own platform: the demo's writes are authorised like any admin's."""
    return Principal(client_id="lgsp-seed", agency=province, scopes=frozenset({ADMIN_SCOPE, MANAGE_SCOPE}))


async def seed_demo(session: AsyncSession, events: EventSink = discard) -> SeedReport:
    """The demo province: its agencies, databases and contracts."""
    return await seed_province(session, load_province(), events, contract_files())


async def seed_province(
    session: AsyncSession,
    province: Province,
    events: EventSink = discard,
    contract_paths: Sequence[Path] = (),
) -> SeedReport:
    """A province's (or the national tier's) agencies, databases and contracts, brought up to date."""
    report = await _seed_registry(session, province, events)
    contracts = ContractService(session, events)
    principal = seeder(province.code)
    # older versions first, so each newer one is checked against them
    ordered = sorted(contract_paths, key=lambda path: version_key(path.stem.rsplit("--", 1)[-1]))
    for path in ordered:
        registered = await contracts.register(path.read_bytes(), principal)
        if registered.created:
            report.contracts_registered += 1
        else:
            report.contracts_unchanged += 1
    return report


async def _seed_registry(session: AsyncSession, province: Province, events: EventSink) -> SeedReport:
    principal = seeder(province.code)
    report = SeedReport()

    agencies = AgencyService(session, events)
    existing_agencies = AgencyRepository(session)
    for entry in sorted(province.agencies, key=lambda a: a.code.count(".")):
        current = await existing_agencies.get(entry.code)
        tier = AgencyTier(entry.tier)
        if current is None:
            await agencies.create(
                AgencyCreate(code=entry.code, name=entry.name, name_en=entry.name_en, tier=tier), principal
            )
            report.agencies_created += 1
        elif (current.name, current.name_en, current.tier) != (entry.name, entry.name_en, tier):
            update = AgencyUpdate(name=entry.name, name_en=entry.name_en, tier=tier)
            await agencies.update(entry.code, update, principal)
            report.agencies_updated += 1

    databases = DatabaseService(session, events)
    existing_databases = DatabaseRepository(session)
    for database in province.databases:
        status = DatabaseStatus(database.status)
        current_db = await existing_databases.find(database.agency, database.code)
        if current_db is None:
            create = DatabaseCreate(
                agency=database.agency,
                code=database.code,
                name=database.name,
                description=database.description,
                status=status,
            )
            await databases.create(create, principal)
            report.databases_created += 1
        elif (current_db.name, current_db.description, current_db.status) != (
            database.name,
            database.description,
            status,
        ):
            update_db = DatabaseUpdate(name=database.name, description=database.description, status=status)
            await databases.update(database.agency, database.code, update_db, principal)
            report.databases_updated += 1

    return report

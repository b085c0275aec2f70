"""`lgsp seed demo`: load the demo province into the registry, through the registry's own services.

The province as registered in 2024 (`since`), then its reorganisation applied at its dates (Decree 45/2025/NĐ-CP),
so coverage at any earlier T counts the structure of then. Idempotent: what exists is brought up to date,
identical contract versions are recognised, a merger is applied once, nothing is doubled.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.document import ContractDocument, Kind, version_key
from registry.agencies.models import AgencyTier
from registry.agencies.repository import AgencyRepository
from registry.agencies.schemas import AgencyCreate, AgencyUpdate
from registry.agencies.service import AgencyService
from registry.auth import ADMIN_SCOPE, MANAGE_SCOPE, Principal
from registry.contracts.models import ContractStatus
from registry.contracts.repository import ContractVersionRepository, EndpointRepository
from registry.contracts.service import ContractService
from registry.databases.models import DatabaseStatus
from registry.databases.repository import DatabaseRepository
from registry.databases.schemas import DatabaseCreate, DatabaseUpdate
from registry.databases.service import DatabaseService
from registry.demo import Province, contract_files, load_province, read_contract
from registry.demo.backdate import date_structure
from registry.events import EventSink, discard
from registry.succession.schemas import VIETNAM, MergeCreate, RenameCreate
from registry.succession.service import SuccessionService


@dataclass
class SeedReport:
    agencies_created: int = 0
    agencies_updated: int = 0
    databases_created: int = 0
    databases_updated: int = 0
    contracts_registered: int = 0
    contracts_unchanged: int = 0
    mergers: int = 0
    contracts_deprecated: int = 0

    def summary(self) -> str:
        return (
            f"agencies: {self.agencies_created} created, {self.agencies_updated} updated; "
            f"databases: {self.databases_created} created, {self.databases_updated} updated; "
            f"contracts: {self.contracts_registered} registered, {self.contracts_unchanged} unchanged; "
            f"mergers: {self.mergers} applied; superseded versions deprecated: {self.contracts_deprecated}"
        )


def seeder(province: str) -> Principal:
    """The operator seeding its own platform: the demo's writes are authorised like any admin's."""
    return Principal(client_id="lgsp-seed", agency=province, scopes=frozenset({ADMIN_SCOPE, MANAGE_SCOPE}))


async def seed_demo(
    session: AsyncSession,
    events: EventSink = discard,
    province: Province | None = None,
    files: Sequence[Path] | None = None,
) -> SeedReport:
    """`province` and contract `files`: the demo's own unless given."""
    province = province or load_province()
    principal = seeder(province.code)
    report = SeedReport()

    agencies = AgencyService(session, events)
    existing_agencies = AgencyRepository(session)
    created: list[str] = []
    merged: set[str] = set()
    for entry in sorted(province.agencies, key=lambda a: a.code.count(".")):
        current = await existing_agencies.get(entry.code)
        tier = AgencyTier(entry.tier)
        names = [(entry.name, entry.name_en), province.current_names(entry.code)]
        if current is None:
            await agencies.create(
                AgencyCreate(code=entry.code, name=entry.name, name_en=entry.name_en, tier=tier), principal
            )
            created.append(entry.code)
            report.agencies_created += 1
        elif current.merged_into is not None:
            merged.add(entry.code)  # as it was when merged: nothing changes under a merged agency
        elif (current.name, current.name_en) not in names or current.tier != tier:
            update = AgencyUpdate(name=names[-1][0], name_en=names[-1][1], tier=tier)
            await agencies.update(entry.code, update, principal)
            report.agencies_updated += 1

    databases = DatabaseService(session, events)
    existing_databases = DatabaseRepository(session)
    new_databases: list[int] = []
    for database in province.databases:
        status = DatabaseStatus(database.status)
        owner = province.successor(database.agency) if database.agency in merged else database.agency
        current_db = await existing_databases.find(owner, database.code)
        if current_db is None:
            create = DatabaseCreate(
                agency=database.agency,
                code=database.code,
                name=database.name,
                description=database.description,
                status=status,
            )
            new_databases.append(_id((await databases.create(create, principal)).id))
            report.databases_created += 1
        elif (current_db.name, current_db.description, current_db.status) != (
            database.name,
            database.description,
            status,
        ):
            update_db = DatabaseUpdate(name=database.name, description=database.description, status=status)
            await databases.update(owner, database.code, update_db, principal)
            report.databases_updated += 1

    if province.since is not None:
        since = datetime.combine(province.since, time(), VIETNAM)
        await date_structure(session, since, created, new_databases)
    report.mergers = await _reorganise(session, events, principal, province, merged)
    # published by today's departments (the contract files name them), after the reorganisation
    contracts = ContractService(session, events)
    # older versions first, so each newer one is checked against them
    paths = contract_files() if files is None else files
    ordered = sorted(paths, key=lambda path: version_key(path.stem.rsplit("--", 1)[-1]))
    for path in ordered:
        if await _registered_before_a_merger(session, read_contract(path)):
            report.contracts_unchanged += 1
            continue
        registered = await contracts.register(path.read_bytes(), principal)
        if registered.created:
            report.contracts_registered += 1
        else:
            report.contracts_unchanged += 1
    report.contracts_deprecated = await _deprecate_superseded(contracts, principal, ordered)
    return report


SUPERSEDED_SUNSET = timedelta(days=180)


async def _deprecate_superseded(
    contracts: ContractService, principal: Principal, paths: Sequence[Path]
) -> int:
    """The versions of a major a newer major replaced (2.0.0 without districts, 01/07/2025): deprecated once, still
    answering, with a sunset announced 180 days after (when the department withdraws them)."""
    documents = [read_contract(path) for path in paths]
    newest: dict[tuple[str, str, str], int] = {}
    for document in documents:
        key = (document.kind, document.provider, document.code)
        newest[key] = max(newest.get(key, 0), document.major)
    deprecated = 0
    for document in documents:
        if document.major >= newest[(document.kind, document.provider, document.code)]:
            continue
        kind, agency, code = Kind(document.kind), document.provider, document.code
        _, version = await contracts.version(kind, agency, code, document.version)
        if version.status != ContractStatus.ACTIVE:
            continue
        _, version = await contracts.set_status(
            kind, agency, code, document.version, ContractStatus.DEPRECATED, principal
        )
        sunset = (version.deprecated_at or datetime.now(VIETNAM)) + SUPERSEDED_SUNSET
        await contracts.set_sunset(kind, agency, code, document.version, sunset, principal)
        deprecated += 1
    return deprecated


async def _registered_before_a_merger(session: AsyncSession, document: ContractDocument) -> bool:
    """The version is registered already, by the department the provider succeeded (a demo seeded before its
    reorganisation was added): versions are immutable, so the predecessor's stands."""
    endpoint = await EndpointRepository(session).find(document.provider, document.code, document.major)
    if endpoint is None or endpoint.id is None:
        return False
    for version in await ContractVersionRepository(session).versions(endpoint.id):
        if version.version == document.version:
            return bool(version.document.get("provider") != document.provider)
    return False


async def _reorganise(
    session: AsyncSession, events: EventSink, principal: Principal, province: Province, merged: set[str]
) -> int:
    """The province's reorganisation, through the succession service, each step at its date (once)."""
    succession = SuccessionService(session, events)
    applied = 0
    for step in province.reorganisation:
        olds = [code for code in step.merge if code not in merged]
        if not olds:
            continue
        at = datetime.combine(step.at, time(), VIETNAM)
        merge = MergeCreate.model_validate(
            {"from": olds, "into": step.into, "at": at, "sunset_days": step.sunset_days}
        )
        await succession.merge(merge, principal)
        if step.name is not None:
            rename = RenameCreate(name=step.name, name_en=step.name_en, at=at)
            await succession.rename(step.into, rename, principal)
        applied += 1
    return applied


def _id(value: int | None) -> int:
    assert value is not None  # a created row has its id
    return value

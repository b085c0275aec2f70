"""The demo's registry, dated as its history is: departments registered weeks ago, each service and dataset
published on the day its department joined the platform, so coverage grows over the trend."""

from datetime import datetime, timedelta

from sqlalchemy import case, literal, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from registry.agencies.models import Agency
from registry.contracts.models import ContractVersion, Endpoint
from registry.contracts.repository import ContractVersionRepository, EndpointRepository
from registry.databases.models import Database
from registry.storage import UTCDateTime


async def backdate_registry(
    session: AsyncSession, registered: datetime, published: dict[str, datetime]
) -> None:
    """Agencies and databases registered by `registered` (those the seed dated earlier keep their date; a retired
    one retired the day after); each endpoint (by address) and its versions at `published[address]`, newer
    versions a day apart."""
    for model in (Agency, Database):
        bound = literal(registered, UTCDateTime())
        earliest = case((col(model.created_at) > bound, bound), else_=col(model.created_at))
        await session.exec(update(model).values(created_at=earliest, updated_at=registered))
    retired = registered + timedelta(days=1)
    await session.exec(
        update(Database).where(col(Database.retired_at).is_not(None)).values(retired_at=retired)
    )
    versions = ContractVersionRepository(session)
    for endpoint in await EndpointRepository(session).list(kind=None, agency=None):
        when = published.get(endpoint.address)
        if when is None or endpoint.id is None:
            continue
        await session.exec(update(Endpoint).where(col(Endpoint.id) == endpoint.id).values(created_at=when))
        for offset, version in enumerate(await versions.versions(endpoint.id)):
            moment = when + timedelta(days=offset)
            await session.exec(
                update(ContractVersion).where(col(ContractVersion.id) == version.id).values(created_at=moment)
            )
    await session.commit()


async def date_structure(
    session: AsyncSession, since: datetime, agencies: list[str], databases: list[int]
) -> None:
    """The agencies and databases just seeded registered `since`: the province's structure before any
    reorganisation recorded after that date."""
    if agencies:
        await session.exec(update(Agency).where(col(Agency.code).in_(agencies)).values(created_at=since))
    if databases:
        await session.exec(update(Database).where(col(Database.id).in_(databases)).values(created_at=since))
    await session.commit()

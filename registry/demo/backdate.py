"""The demo's registry, dated as its history is: departments registered weeks ago, each service and dataset
published on the day its department joined the platform, so coverage grows over the trend."""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from registry.agencies.models import Agency
from registry.contracts.models import ContractVersion, Endpoint
from registry.contracts.repository import ContractVersionRepository, EndpointRepository
from registry.databases.models import Database


async def backdate_registry(
    session: AsyncSession, registered: datetime, published: dict[str, datetime]
) -> None:
    """Agencies and databases registered at `registered` (a retired one retired the day after); each endpoint (by address) and its versions at
    `published[address]`, newer versions a day apart."""
    await session.exec(update(Agency).values(created_at=registered, updated_at=registered))
    await session.exec(update(Database).values(created_at=registered, updated_at=registered))
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

"""The national tier's own services in the federation: a service version of its own registry (a national
database's) published into the directory with `member` = the national code, so a province's client can call it
across; the national tier answers such a call through its own connector, as a member's provider does."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.document import ContractDocument, Kind
from contracts.errors import Conflict, NotFound
from contracts.openapi import service_openapi
from federation.errors import NotNationalTier
from federation.models import NationalService
from federation.repository import MemberRepository, NationalServiceRepository, VersionRepository
from federation.runtime import Federation
from registry.auth import Principal
from registry.contracts.service import ContractService
from registry.storage import utcnow


def national_entry(service: NationalService, code: str) -> dict[str, Any]:
    """A national service as the directory lists it: as a member's, with `member` = the national code."""
    return {
        "member": code,
        "address": service.address,
        "title": service.title,
        "version": service.version,
        "published_at": service.published_at.isoformat(),
        "openapi": service.openapi,
    }


async def national_entries(session: AsyncSession, code: str) -> list[dict[str, Any]]:
    return [national_entry(s, code) for s in await NationalServiceRepository(session).listed()]


class NationalPublications:
    """On the national tier: publish (or withdraw) a service version of its own registry nationally."""

    def __init__(self, session: AsyncSession, federation: Federation) -> None:
        if not federation.config.is_national:
            raise NotNationalTier("this platform is not the national tier (LGSP_TIER=national)")
        self.session = session
        self.federation = federation
        self.services = NationalServiceRepository(session)

    async def publish(self, address_text: str, national: bool, principal: Principal) -> dict[str, Any]:
        address = Address.parse(address_text)
        principal.require_manage(address.agency)
        code = self.federation.config.code
        if await MemberRepository(self.session).get(address.agency.split(".")[0]) is not None:
            raise Conflict(
                f"{address} is an agency of a member: that member publishes it, not the national tier"
            )
        existing = await self.services.get(str(address))
        if not national:
            if existing is None:
                raise NotFound(f"{address} is not published nationally")
            await self.services.delete(existing)
            await VersionRepository(self.session).bump()
            await self.session.commit()
            self.federation.changes += 1
            return {"address": str(address), "national": False}
        _, found = await ContractService(self.session).version(
            Kind.SERVICE, address.agency, address.code, f"v{address.major}"
        )
        document = ContractDocument.model_validate(found.document)
        service = existing or NationalService(address=str(address), title="", version="")
        service.title, service.version, service.published_at = (
            document.title[:300],
            found.version[:64],
            utcnow(),
        )
        service.openapi = service_openapi(document, server_url=self.federation.config.base_url.rstrip("/"))
        await self.services.add(service)
        await VersionRepository(self.session).bump()
        await self.session.commit()
        self.federation.changes += 1
        entry = national_entry(service, code)
        return entry | {"specification": f"/api/v1/federation/catalogue/{address}/openapi.json"}

from collections.abc import Sequence

from contracts.addresses import parent_agency_code
from contracts.errors import Conflict, InUse, NotFound, UnknownReference
from registry.agencies.models import Agency, AgencyTier
from registry.agencies.repository import AgencyRepository
from registry.agencies.schemas import AgencyCreate, AgencyUpdate
from registry.auth import Principal
from registry.events import RegistryEvent
from registry.service import RegistryService
from registry.storage import utcnow


def require_current(agency: Agency | None, code: str) -> Agency:
    """The agency, registered and not merged: nothing new is registered under a merged agency."""
    if agency is None:
        raise UnknownReference(f"agency {code} is not registered")
    if agency.merged_into is not None:
        raise Conflict(f"agency {code} was merged into {agency.merged_into}; register it there instead")
    return agency


class AgencyService(RegistryService):
    @property
    def agencies(self) -> AgencyRepository:
        return AgencyRepository(self.session)

    async def get(self, code: str) -> Agency:
        agency = await self.agencies.get(code)
        if agency is None:
            raise NotFound(f"agency {code} is not registered")
        return agency

    async def list(
        self, *, parent: str | None = None, tier: AgencyTier | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[Sequence[Agency], int]:
        return await self.agencies.list(parent=parent, tier=tier, offset=offset, limit=limit)

    async def create(self, data: AgencyCreate, principal: Principal) -> Agency:
        parent = parent_agency_code(data.code)
        if parent is None:
            principal.require_admin()
        else:
            principal.require_manage(parent)
        if await self.agencies.get(data.code) is not None:
            raise Conflict(f"agency {data.code} is already registered")
        if parent is not None:
            found = await self.agencies.get(parent)
            if found is None:
                raise UnknownReference(
                    f"parent agency {parent} of {data.code} is not registered; register it first"
                )
            require_current(found, parent)
        agency = await self.agencies.add(Agency(**data.model_dump(), parent_code=parent))
        await self.commit(RegistryEvent("agency.created", agency.code))
        return agency

    async def update(self, code: str, data: AgencyUpdate, principal: Principal) -> Agency:
        agency = await self.get(code)
        principal.require_manage(code)
        if agency.merged_into is not None and not principal.is_admin:
            # kept as history: its former admins (tokens issued before the merger) no longer write to it
            raise Conflict(f"agency {code} was merged into {agency.merged_into}; it is kept as history")
        changes = data.model_dump(exclude_unset=True)
        if "tier" in changes and changes["tier"] != agency.tier:
            # the tier decides whether a department counts in the coverage denominator
            principal.require_admin()
        for name, value in changes.items():
            setattr(agency, name, value)
        agency.updated_at = utcnow()
        await self.agencies.add(agency)
        await self.commit(RegistryEvent("agency.updated", code))
        return agency

    async def delete(self, code: str, principal: Principal) -> None:
        agency = await self.get(code)
        principal.require_admin()
        references = await self.agencies.references(code)
        if references:
            held = ", ".join(f"{count} {what}" for what, count in references.items())
            raise InUse(
                f"agency {code} is still referenced by {held}; remove those first", references=references
            )
        await self.agencies.delete(agency)
        await self.commit(RegistryEvent("agency.deleted", code))

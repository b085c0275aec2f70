import uuid
from collections.abc import Sequence

from contracts.addresses import Address
from contracts.checks import schema_declares
from contracts.document import ContractDocument
from contracts.errors import NotFound, UnknownReference
from contracts.pointers import split
from registry.auth import Principal
from registry.clients.repository import ClientRepository
from registry.contracts.models import Endpoint
from registry.contracts.repository import ContractVersionRepository, EndpointRepository
from registry.events import RegistryEvent
from registry.grants.models import Grant
from registry.grants.repository import GrantRepository
from registry.grants.schemas import GrantCreate, GrantPublic
from registry.service import RegistryService
from registry.storage import utcnow


def grant_public(grant: Grant, endpoint: Endpoint) -> GrantPublic:
    return GrantPublic(
        id=grant.id,
        client_id=grant.client_id,
        address=endpoint.address,
        kind=endpoint.kind,
        purpose=grant.purpose,
        fields=grant.fields,
        calls_per_minute=grant.calls_per_minute,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        revoked_at=grant.revoked_at,
        active=grant.active_at(utcnow()),
        created_at=grant.created_at,
        created_by=grant.created_by,
    )


class GrantService(RegistryService):
    @property
    def grants(self) -> GrantRepository:
        return GrantRepository(self.session)

    async def create(self, data: GrantCreate, principal: Principal) -> GrantPublic:
        grant, endpoint = await self.issue(data, principal)
        await self.commit(RegistryEvent("grant.created", data.client_id, {"address": endpoint.address}))
        return grant_public(grant, endpoint)

    async def issue(self, data: GrantCreate, principal: Principal) -> tuple[Grant, Endpoint]:
        """Check and add the grant to the session, uncommitted: an approved access request commits it with
        its decision, in one transaction."""
        address = Address.parse(data.address)
        endpoint = await EndpointRepository(self.session).find(address.agency, address.code, address.major)
        if endpoint is None:
            raise UnknownReference(f"no service or dataset is registered at {address}")
        principal.require_manage(endpoint.agency_code)
        if await ClientRepository(self.session).get(data.client_id) is None:
            raise UnknownReference(f"client {data.client_id} is not registered")
        await self.check_fields(endpoint, data.fields)
        grant = Grant(
            id=str(uuid.uuid4()),
            client_id=data.client_id,
            endpoint_id=endpoint.id or 0,
            purpose=data.purpose,
            fields=data.fields,
            calls_per_minute=data.calls_per_minute,
            valid_from=data.valid_from or utcnow(),
            valid_until=data.valid_until,
            created_by=principal.client_id,
        )
        await self.grants.add(grant)
        return grant, endpoint

    async def check_fields(self, endpoint: Endpoint, fields: Sequence[str]) -> None:
        """Allowed fields name properties of what the grant gives access to: the reply, or the shared record."""
        if not fields:
            return
        latest = (await ContractVersionRepository(self.session).latest_by_endpoint([endpoint.id or 0])).get(
            endpoint.id or 0
        )
        if latest is None:
            raise UnknownReference(f"{endpoint.address} has no version in use")
        document = ContractDocument.model_validate(latest.document)
        schema = document.response if document.response is not None else document.record
        unknown = [field for field in fields if not schema_declares(schema or {}, split(field))]
        if unknown:
            raise UnknownReference(
                f"fields not in the contract of {endpoint.address}: {', '.join(unknown)}",
                errors=[
                    {"pointer": f"/fields/{fields.index(field)}", "message": "not a property"}
                    for field in unknown
                ],
            )

    async def get(self, grant_id: str, principal: Principal) -> GrantPublic:
        grant, endpoint = await self._find(grant_id, principal)
        return grant_public(grant, endpoint)

    async def _find(self, grant_id: str, principal: Principal) -> tuple[Grant, Endpoint]:
        grant = await self.grants.get(grant_id)
        endpoint = await EndpointRepository(self.session).get(grant.endpoint_id) if grant else None
        client = await ClientRepository(self.session).get(grant.client_id) if grant else None
        if grant is None or endpoint is None or client is None:
            raise NotFound(f"grant {grant_id} does not exist")
        if not (principal.may_see(client.agency_code) or principal.may_see(endpoint.agency_code)):
            raise NotFound(f"grant {grant_id} does not exist")
        return grant, endpoint

    async def list(
        self,
        principal: Principal,
        *,
        client_id: str | None = None,
        provider: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[list[GrantPublic], int]:
        """Admins see every grant; others the grants of their agency's clients and of their agency's services."""
        if principal.is_admin or (provider is not None and principal.may_see(provider)):
            rows, total = await self.grants.with_endpoints(
                client_id=client_id, provider=provider, offset=offset, limit=limit
            )
        else:
            rows, total = await self.grants.with_endpoints(
                client_id=client_id, client_agency=principal.agency, offset=offset, limit=limit
            )
        return [grant_public(grant, endpoint) for grant, endpoint in rows], total

    async def revoke(self, grant_id: str, principal: Principal) -> GrantPublic:
        grant, endpoint = await self._find(grant_id, principal)
        principal.require_manage(endpoint.agency_code)
        if grant.revoked_at is None:
            grant.revoked_at = utcnow()
            await self.grants.add(grant)
            await self.commit(RegistryEvent("grant.revoked", grant.client_id, {"address": endpoint.address}))
        return grant_public(grant, endpoint)

import secrets
from collections.abc import Sequence

from contracts.errors import Conflict, InUse, NotFound, UnknownReference
from registry.agencies.repository import AgencyRepository
from registry.auth import Principal
from registry.clients.models import Client, ClientRole
from registry.clients.repository import ClientRepository
from registry.clients.schemas import ClientCreate, ClientUpdate
from registry.clients.secrets import hash_secret, new_secret, verify_nothing, verify_secret
from registry.events import RegistryEvent
from registry.grants.repository import GrantRepository
from registry.service import RegistryService
from registry.storage import utcnow


class ClientService(RegistryService):
    @property
    def clients(self) -> ClientRepository:
        return ClientRepository(self.session)

    async def get(self, client_id: str, principal: Principal) -> Client:
        client = await self.clients.get(client_id)
        if client is None or not principal.may_see_clients_of(client.agency_code):
            raise NotFound(f"client {client_id} is not registered")
        return client

    async def list(
        self, principal: Principal, *, agency: str | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[Sequence[Client], int]:
        if not principal.is_admin:
            agency = (
                principal.agency if agency is None or not principal.may_see_clients_of(agency) else agency
            )
        return await self.clients.list(agency=agency, offset=offset, limit=limit)

    async def create(self, data: ClientCreate, principal: Principal) -> tuple[Client, str]:
        """Register a client; the plain secret is returned this once and only its hash is kept."""
        principal.require_manage(data.agency)
        if data.role is ClientRole.ADMIN:
            principal.require_admin()
        if await AgencyRepository(self.session).get(data.agency) is None:
            raise UnknownReference(f"agency {data.agency} is not registered")
        client_id = data.client_id or f"{data.agency.lower().replace('.', '-')}-{secrets.token_hex(4)}"
        if await self.clients.get(client_id) is not None:
            raise Conflict(f"client {client_id} is already registered")
        secret = new_secret()
        client = Client(
            client_id=client_id,
            agency_code=data.agency,
            name=data.name,
            role=data.role,
            secret_hash=await hash_secret(secret),
        )
        await self.clients.add(client)
        await self.commit(RegistryEvent("client.created", client_id, {"agency": data.agency}))
        return client, secret

    async def update(self, client_id: str, data: ClientUpdate, principal: Principal) -> Client:
        client = await self.get(client_id, principal)
        principal.require_manage(client.agency_code)
        for name, value in data.model_dump(exclude_unset=True).items():
            setattr(client, name, value)
        await self.clients.add(client)
        await self.commit(RegistryEvent("client.updated", client_id, {"disabled": client.disabled}))
        return client

    async def rotate_secret(self, client_id: str, principal: Principal) -> tuple[Client, str]:
        client = await self.get(client_id, principal)
        principal.require_manage(client.agency_code)
        secret = new_secret()
        client.secret_hash = await hash_secret(secret)
        client.secret_rotated_at = utcnow()
        await self.clients.add(client)
        await self.commit(RegistryEvent("client.secret-rotated", client_id))
        return client, secret

    async def delete(self, client_id: str, principal: Principal) -> None:
        client = await self.get(client_id, principal)
        principal.require_manage(client.agency_code)
        if await GrantRepository(self.session).client_has_grants(client_id):
            raise InUse(f"client {client_id} holds grants; disable it instead (PATCH disabled=true)")
        await self.clients.delete(client)
        await self.commit(RegistryEvent("client.deleted", client_id))

    async def authenticate(self, client_id: str, secret: str) -> Client | None:
        """The client these credentials belong to, if they are right and the client is enabled.

        Every refusal costs one Argon2 verification, so the time taken does not tell which client ids exist."""
        client = await self.clients.get(client_id)
        if client is None:
            await verify_nothing(secret)
            return None
        valid = await verify_secret(client.secret_hash, secret)
        return client if valid and not client.disabled else None

    async def ensure(
        self, client_id: str, secret: str, *, agency: str, name: str, role: ClientRole
    ) -> Client:
        """Create the client or reset its secret and role: the gateway's bootstrap admin."""
        client = await self.clients.get(client_id)
        if client is None:
            client = Client(client_id=client_id, agency_code=agency, name=name, role=role, secret_hash="")
        elif client.role == role and not client.disabled and await verify_secret(client.secret_hash, secret):
            return client
        client.secret_hash = await hash_secret(secret)
        client.role, client.disabled = role, False
        await self.clients.add(client)
        await self.commit(RegistryEvent("client.updated", client_id))
        return client

import re
import secrets
from collections.abc import Sequence

from contracts.errors import Conflict, InUse, InvalidInput, NotFound
from contracts.signing import algorithm_for, import_signing_key, public_jwk
from registry.access.repository import AccessRequestRepository
from registry.agencies.repository import AgencyRepository
from registry.agencies.service import require_current
from registry.auth import Principal
from registry.clients.models import Client, ClientKey, ClientRole
from registry.clients.repository import ClientKeyRepository, ClientRepository
from registry.clients.schemas import ClientCreate, ClientKeyCreate, ClientUpdate
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
        require_current(await AgencyRepository(self.session).get(data.agency), data.agency)
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
        if await AccessRequestRepository(self.session).client_has_requests(client_id):
            raise InUse(
                f"client {client_id} has access requests on record; disable it instead (PATCH disabled=true)"
            )
        for key in await ClientKeyRepository(self.session).of_client(client_id):
            await self.session.delete(key)
        await self.clients.delete(client)
        await self.commit(RegistryEvent("client.deleted", client_id))

    # message signing keys (replies, acknowledgements)

    async def keys(self, client_id: str, principal: Principal) -> Sequence[ClientKey]:
        await self.get(client_id, principal)
        return await ClientKeyRepository(self.session).of_client(client_id)

    async def register_key(self, client_id: str, data: ClientKeyCreate, principal: Principal) -> ClientKey:
        """Register the public half of a key the client signs bus messages with (a rotation: register the
        new key, move the signer to it, then withdraw the old one)."""
        client = await self.get(client_id, principal)
        principal.require_manage(client.agency_code)
        jwk = _public_only(data.jwk)
        repository = ClientKeyRepository(self.session)
        if await repository.get(jwk["kid"]) is not None:
            raise Conflict(f"a key with kid {jwk['kid']} is already registered")
        key = ClientKey(kid=str(jwk["kid"]), client_id=client_id, jwk=jwk)
        await repository.add(key)
        await self.commit(RegistryEvent("client.key-registered", client_id, {"kid": key.kid}))
        return key

    async def withdraw_key(self, client_id: str, kid: str, principal: Principal) -> ClientKey:
        """Stop believing messages signed with `kid`; the key stays listed, withdrawn."""
        client = await self.get(client_id, principal)
        principal.require_manage(client.agency_code)
        repository = ClientKeyRepository(self.session)
        key = await repository.get(kid)
        if key is None or key.client_id != client_id:
            raise NotFound(f"client {client_id} has no key {kid}")
        if key.withdrawn_at is None:
            key.withdrawn_at = utcnow()
            await repository.add(key)
            await self.commit(RegistryEvent("client.key-withdrawn", client_id, {"kid": kid}))
        return key

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


_KID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _public_only(jwk: dict[str, object]) -> dict[str, object]:
    """The JWK as the registry keeps it: public members only, with a kid; refuses private or unusable keys."""
    if "d" in jwk:
        raise InvalidInput("send only the public half of the key: the platform keeps no private keys")
    try:
        key = import_signing_key(dict(jwk))
        algorithm_for(key)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"not a usable EC P-256 or Ed25519 public JWK: {exc}") from None
    except Exception as exc:  # joserfc raises its own errors for malformed members
        raise InvalidInput(f"not a usable EC P-256 or Ed25519 public JWK: {type(exc).__name__}") from None
    public = public_jwk(key)
    if not isinstance(public["kid"], str) or not _KID.match(public["kid"]):
        raise InvalidInput("kid must be 1 to 64 letters, digits, '.', '_' or '-'")
    return public

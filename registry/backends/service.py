"""Binding a service major to an HTTP backend: checked, secrets sealed, shown back without them."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.document import Kind
from contracts.errors import InvalidInput, NotFound
from registry.auth import Principal
from registry.backends.models import ServiceBackend
from registry.backends.networks import NetworkGuard
from registry.backends.repository import BackendRepository
from registry.backends.schemas import RESERVED, RESERVED_PREFIXES, BackendCreate, BackendPublic
from registry.backends.secrets import BackendCipher
from registry.contracts.models import Endpoint
from registry.contracts.repository import EndpointRepository
from registry.events import EventSink, RegistryEvent, discard
from registry.service import RegistryService
from registry.storage import utcnow

SECRET_FIELDS = {"header": "value", "basic": "password", "oauth2": "client_secret"}


@dataclass(frozen=True, slots=True)
class Binding:
    """A binding with its secrets opened: only the HTTP connector holds one."""

    address: Address
    url: str
    timeout_seconds: float
    headers: dict[str, str] = field(repr=False)
    auth: dict[str, Any] = field(repr=False)


class BackendService(RegistryService):
    def __init__(
        self,
        session: AsyncSession,
        cipher: BackendCipher,
        guard: NetworkGuard,
        events: EventSink = discard,
    ) -> None:
        super().__init__(session, events)
        self.cipher = cipher
        self.guard = guard
        self.backends = BackendRepository(session)
        self.endpoints = EndpointRepository(session)

    async def _service(self, address: str) -> Endpoint:
        parsed = Address.parse(address)
        endpoint = await self.endpoints.find(parsed.agency, parsed.code, parsed.major)
        if endpoint is None or endpoint.kind != Kind.SERVICE:
            raise NotFound(f"service {address} is not registered")
        return endpoint

    async def bind(self, address: str, data: BackendCreate, principal: Principal) -> BackendPublic:
        endpoint = await self._service(address)
        principal.require_manage(endpoint.agency_code)
        reserved = [
            name
            for name in data.headers
            if name.lower() in RESERVED or name.lower().startswith(RESERVED_PREFIXES)
        ]
        if reserved:
            raise InvalidInput(
                f"the HTTP connector sets {', '.join(reserved)} itself; use auth for credentials",
                errors=[{"pointer": f"/headers/{name}", "message": "reserved header"} for name in reserved],
            )
        await self.guard.check(data.url)
        auth = data.auth.model_dump(exclude_none=True)
        if auth["type"] == "oauth2":
            await self.guard.check(auth["token_url"])
        secret = auth.pop(SECRET_FIELDS[auth["type"]], None) if auth["type"] in SECRET_FIELDS else None
        backend = await self.backends.get(endpoint.id) or ServiceBackend(
            endpoint_id=endpoint.id or 0, url="", timeout_seconds=0, header_names=[], auth={}, sealed="",
            updated_by=principal.client_id,
        )  # fmt: skip
        backend.url, backend.timeout_seconds = data.url, data.timeout_seconds
        backend.header_names, backend.auth = sorted(data.headers), auth
        backend.sealed = self.cipher.seal({"headers": data.headers, "secret": secret})
        backend.updated_at, backend.updated_by = utcnow(), principal.client_id
        await self.backends.add(backend)
        await self.commit(RegistryEvent("backend.bound", endpoint.address, {"url": data.url}))
        return self.public(endpoint, backend)

    async def bind_from_document(
        self, address: str, url: str, timeout_seconds: float, principal: Principal
    ) -> BackendPublic:
        """A registered contract's `backend`: the URL and timeout set, headers and auth kept (none when new)."""
        endpoint = await self._service(address)
        backend = await self.backends.get(endpoint.id)
        if backend is None:
            return await self.bind(
                address, BackendCreate(url=url, timeout_seconds=timeout_seconds), principal
            )
        principal.require_manage(endpoint.agency_code)
        await self.guard.check(url)
        backend.url, backend.timeout_seconds = url, timeout_seconds
        backend.updated_at, backend.updated_by = utcnow(), principal.client_id
        await self.backends.add(backend)
        await self.commit(RegistryEvent("backend.bound", endpoint.address, {"url": url}))
        return self.public(endpoint, backend)

    async def get(self, address: str, principal: Principal) -> BackendPublic:
        endpoint = await self._service(address)
        principal.require_manage(endpoint.agency_code)
        backend = await self.backends.get(endpoint.id)
        if backend is None:
            raise NotFound(f"{endpoint.address} is not bound to a backend")
        return self.public(endpoint, backend)

    async def unbind(self, address: str, principal: Principal) -> None:
        endpoint = await self._service(address)
        principal.require_manage(endpoint.agency_code)
        backend = await self.backends.get(endpoint.id)
        if backend is None:
            raise NotFound(f"{endpoint.address} is not bound to a backend")
        await self.backends.delete(backend)
        await self.commit(RegistryEvent("backend.unbound", endpoint.address))

    async def bindings(self) -> list[Binding]:
        """Every binding, secrets opened (for the HTTP connector only)."""
        found = []
        for backend, endpoint in await self.backends.with_endpoints():
            opened = self.cipher.open(backend.sealed)
            auth = dict(backend.auth)
            if opened.get("secret") is not None:
                auth[SECRET_FIELDS[auth["type"]]] = opened["secret"]
            address = Address(endpoint.agency_code, endpoint.code, endpoint.major)
            found.append(Binding(address, backend.url, backend.timeout_seconds, opened["headers"], auth))
        return found

    @staticmethod
    def public(endpoint: Endpoint, backend: ServiceBackend) -> BackendPublic:
        auth = dict(backend.auth)
        if auth["type"] in SECRET_FIELDS:
            auth[SECRET_FIELDS[auth["type"]]] = "set"
        return BackendPublic(
            address=endpoint.address,
            url=backend.url,
            timeout_seconds=backend.timeout_seconds,
            headers=dict.fromkeys(backend.header_names, "set"),
            auth=auth,
            updated_at=backend.updated_at,
            updated_by=backend.updated_by,
        )

"""Registering contract versions (DESIGN.md §5 flow 1) and reading them back."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.compatibility import check_compatibility
from contracts.document import ContractDocument, Kind, version_key
from contracts.errors import (
    Conflict,
    ContractIncompatible,
    ContractInvalid,
    InUse,
    InvalidInput,
    NotFound,
    UnknownReference,
)
from contracts.loading import load_contract
from contracts.maintenance import MaintenanceWindow
from registry.access.repository import AccessRequestRepository
from registry.agencies.repository import AgencyRepository
from registry.auth import Principal
from registry.backends.repository import BackendRepository
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.contracts.repository import ContractVersionRepository, EndpointRepository
from registry.databases.models import Database, DatabaseStatus
from registry.databases.repository import DatabaseRepository
from registry.events import EventSink, RegistryEvent, discard
from registry.grants.repository import GrantRepository
from registry.service import RegistryService
from registry.storage import utcnow


@dataclass(frozen=True, slots=True)
class Registered:
    endpoint: Endpoint
    version: ContractVersion
    created: bool  # False when the identical version was registered before


def document_digest(document: ContractDocument) -> str:
    canonical = orjson.dumps(document.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


class ContractService(RegistryService):
    def __init__(
        self, session: AsyncSession, events: EventSink = discard, *, max_bytes: int = 262_144
    ) -> None:
        super().__init__(session, events)
        self.max_bytes = max_bytes
        self.endpoints = EndpointRepository(session)
        self.versions = ContractVersionRepository(session)

    async def register(self, raw: bytes | str, principal: Principal) -> Registered:
        document = load_contract(raw, max_bytes=self.max_bytes)
        principal.require_manage(document.provider)
        database = await self._database_of(document)
        digest = document_digest(document)

        endpoint = await self.endpoints.find(document.provider, document.code, document.major)
        if endpoint is None:
            await self._check_code_kind(document)
            assert database.id is not None
            endpoint = await self.endpoints.add(
                Endpoint(
                    kind=document.kind,
                    agency_code=document.provider,
                    code=document.code,
                    major=document.major,
                    database_id=database.id,
                )
            )
        else:
            existing = await self._check_new_version(endpoint, document, database, digest)
            if existing is not None:
                return Registered(endpoint, existing, created=False)

        assert endpoint.id is not None
        version = await self.versions.add(
            ContractVersion(
                endpoint_id=endpoint.id,
                version=document.version,
                title=document.title,
                classification=document.classification,
                compatibility=document.compatibility,
                document=document.model_dump(mode="json"),
                sha256=digest,
                created_by=principal.client_id,
            )
        )
        await self.commit(
            RegistryEvent(
                "contract.registered", endpoint.address, {"kind": endpoint.kind, "version": document.version}
            )
        )
        return Registered(endpoint, version, created=True)

    async def _database_of(self, document: ContractDocument) -> Database:
        if await AgencyRepository(self.session).get(document.provider) is None:
            raise UnknownReference(f"provider agency {document.provider} is not registered")
        databases = DatabaseRepository(self.session)
        database = await databases.find(document.provider, document.database)
        if database is None:
            owner = await databases.find_code_elsewhere(document.provider, document.database)
            if owner is not None:
                raise ContractInvalid(
                    f"database {document.database} belongs to {owner.agency_code}, not to the provider "
                    f"{document.provider}",
                    errors=[{"pointer": "/database", "message": f"owned by {owner.agency_code}"}],
                )
            raise UnknownReference(f"database {document.provider}/{document.database} is not registered")
        if database.status == DatabaseStatus.RETIRED:
            raise Conflict(f"database {document.provider}/{document.database} is retired")
        return database

    async def _check_code_kind(self, document: ContractDocument) -> None:
        for other in await self.endpoints.majors(document.provider, document.code):
            if other.kind != document.kind:
                raise Conflict(
                    f"{document.provider}/{document.code} is already a {other.kind}, not a {document.kind}"
                )

    async def _check_new_version(
        self, endpoint: Endpoint, document: ContractDocument, database: Database, digest: str
    ) -> ContractVersion | None:
        """Return the identical registered version, or check that the document may follow the earlier ones."""
        if endpoint.kind != document.kind:
            raise Conflict(f"{endpoint.address} is a {endpoint.kind}, not a {document.kind}")
        if endpoint.database_id != database.id:
            raise Conflict(
                f"{endpoint.address} exposes another database; moving to {document.database} needs a new major"
            )
        versions = await self.versions.versions(endpoint.id or 0)
        for version in versions:
            if version.version == document.version:
                if version.sha256 == digest:
                    return version
                raise Conflict(
                    f"version {document.version} of {endpoint.address} is already registered with other content; "
                    "versions are immutable, register a newer one"
                )
        latest = versions[-1]
        if version_key(document.version) <= version_key(latest.version):
            raise Conflict(
                f"version {document.version} is not newer than {latest.version} of {endpoint.address}"
            )
        earlier = [
            ContractDocument.model_validate(version.document)
            for version in versions
            if version.status != ContractStatus.WITHDRAWN
        ]
        breaking = check_compatibility(earlier, document)
        if breaking:
            raise ContractIncompatible(
                f"version {document.version} breaks the {document.compatibility} compatibility of "
                f"{endpoint.address} in {len(breaking)} place(s); a breaking change needs a new major version",
                errors=[
                    {
                        "kind": change.kind,
                        "pointer": change.pointer,
                        "part": change.part,
                        "against": change.against,
                        "message": change.message,
                    }
                    for change in breaking
                ],
            )
        return None

    async def endpoint(self, kind: Kind, agency: str, code: str, major: int) -> Endpoint:
        endpoint = await self.endpoints.find(agency, code, major)
        if endpoint is None or endpoint.kind != kind:
            raise NotFound(f"{kind} {agency}/{code}/v{major} is not registered")
        return endpoint

    async def majors(
        self, kind: Kind, agency: str, code: str
    ) -> list[tuple[Endpoint, list[ContractVersion]]]:
        endpoints = [e for e in await self.endpoints.majors(agency, code) if e.kind == kind]
        if not endpoints:
            raise NotFound(f"{kind} {agency}/{code} is not registered")
        return [(endpoint, await self.versions.versions(endpoint.id or 0)) for endpoint in endpoints]

    async def version(
        self, kind: Kind, agency: str, code: str, reference: str
    ) -> tuple[Endpoint, ContractVersion]:
        """`reference` is a major (`v2`: its newest usable version) or an exact version (`2.1.0`)."""
        if reference.startswith("v"):
            address = Address.parse(f"{agency}/{code}/{reference}")
            endpoint = await self.endpoint(kind, agency, code, address.major)
            latest = (await self.versions.latest_by_endpoint([endpoint.id or 0])).get(endpoint.id or 0)
            if latest is None:
                raise NotFound(f"{endpoint.address} has no version in use (all withdrawn)")
            return endpoint, latest
        try:
            major = version_key(reference)[0]
        except ValueError:
            raise NotFound(f"'{reference}' is neither a major (v1) nor a version (1.2.0)") from None
        endpoint = await self.endpoint(kind, agency, code, major)
        for version in await self.versions.versions(endpoint.id or 0):
            if version.version == reference:
                return endpoint, version
        raise NotFound(f"{endpoint.address} has no version {reference}")

    async def set_status(
        self, kind: Kind, agency: str, code: str, reference: str, status: ContractStatus, principal: Principal
    ) -> tuple[Endpoint, ContractVersion]:
        endpoint, version = await self.version(kind, agency, code, reference)
        principal.require_manage(agency)
        if status == ContractStatus.DEPRECATED and version.status != ContractStatus.DEPRECATED:
            version.deprecated_at = utcnow()
        elif status == ContractStatus.ACTIVE:
            version.deprecated_at = version.sunset_at = None
        version.status = status
        await self.versions.add(version)
        await self.commit(
            RegistryEvent("contract.status", endpoint.address, {"version": version.version, "status": status})
        )
        return endpoint, version

    async def set_sunset(
        self, kind: Kind, agency: str, code: str, reference: str, sunset_at: datetime, principal: Principal
    ) -> tuple[Endpoint, ContractVersion]:
        endpoint, version = await self.version(kind, agency, code, reference)
        principal.require_manage(agency)
        version.sunset_at = sunset_at
        await self.versions.add(version)
        await self.commit(RegistryEvent("contract.status", endpoint.address, {"version": version.version}))
        return endpoint, version

    async def set_capture(self, endpoint: Endpoint, capture: bool, principal: Principal) -> Endpoint:
        principal.require_manage(endpoint.agency_code)
        endpoint.capture_payloads = capture
        await self.endpoints.add(endpoint)
        await self.commit(RegistryEvent("endpoint.updated", endpoint.address, {"capture_payloads": capture}))
        return endpoint

    async def set_maintenance(
        self, endpoint: Endpoint, window: MaintenanceWindow | None, principal: Principal
    ) -> Endpoint:
        """Announce the major's maintenance window (replacing any other), or clear it with None. Gateways answer
        calls inside it 503 from their directory, refreshed by the event; once over it needs no action."""
        principal.require_manage(endpoint.agency_code)
        if endpoint.kind != Kind.SERVICE:
            raise InvalidInput(
                f"{endpoint.address} is a dataset; maintenance windows are announced for services",
                errors=[{"pointer": "/maintenance", "message": "only services have maintenance windows"}],
            )
        if window is not None and window.over(utcnow()):
            raise InvalidInput(
                f"the maintenance window of {endpoint.address} would have ended already; announce one whose "
                "until is in the future",
                errors=[{"pointer": "/maintenance/until", "message": "in the past"}],
            )
        endpoint.maintenance_from = window.starts if window else None
        endpoint.maintenance_until = window.ends if window else None
        endpoint.maintenance_notice = window.notice if window else None
        await self.endpoints.add(endpoint)
        await self.commit(
            RegistryEvent(
                "endpoint.updated",
                endpoint.address,
                {"maintenance": None if window is None else window.as_json()},
            )
        )
        return endpoint

    async def delete_version(
        self, kind: Kind, agency: str, code: str, reference: str, principal: Principal
    ) -> None:
        """Remove the newest version (a mistaken registration); the last version of a major goes with its endpoint, unless grants still use it."""
        endpoint, version = await self.version(kind, agency, code, reference)
        principal.require_manage(agency)
        versions = await self.versions.versions(endpoint.id or 0)
        if versions[-1].id != version.id:
            raise Conflict(
                f"only the newest version of {endpoint.address} can be removed; withdraw older ones"
            )
        remaining = versions[:-1]
        if not remaining and await BackendRepository(self.session).get(endpoint.id) is not None:
            raise InUse(
                f"{endpoint.address} is bound to an HTTP backend; unbind it first (lgsp service unbind)"
            )
        if not remaining and await GrantRepository(self.session).endpoint_has_grants(endpoint.id or 0):
            raise InUse(
                f"{endpoint.address} is still granted to clients; revoke and remove those grants first"
            )
        if not remaining and await AccessRequestRepository(self.session).endpoint_has_requests(
            endpoint.id or 0
        ):
            raise InUse(f"{endpoint.address} has access requests on record; withdraw this version instead")
        await self.versions.delete(version)
        if not remaining:
            await self.endpoints.delete(endpoint)
        await self.commit(RegistryEvent("contract.deleted", endpoint.address, {"version": version.version}))

    async def listing(
        self,
        *,
        kind: Kind | None = None,
        agency: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[tuple[Endpoint, ContractVersion]]:
        """Each endpoint with its newest usable version (a page of them when `limit` is given)."""
        endpoints = await self.endpoints.list(kind=kind, agency=agency, offset=offset, limit=limit)
        latest = await self.versions.latest_by_endpoint([e.id for e in endpoints if e.id is not None])
        return [(e, latest[e.id]) for e in endpoints if e.id in latest]

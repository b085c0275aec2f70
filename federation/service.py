"""The rules of the federation: who may join, who decides, what a member may publish, what the directory says."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address, is_agency_code
from contracts.document import ContractDocument, Kind
from contracts.errors import Conflict, InvalidInput, NotFound
from contracts.openapi import service_openapi
from federation.directory import Directory
from federation.errors import NationalRefused, NationalUnavailable, NotAMember, NotFederated, NotNationalTier
from federation.models import FederationMember, FederationService, MemberStatus
from federation.national import national_entries
from federation.replay import accept_once
from federation.repository import MemberRepository, PublishedServiceRepository, VersionRepository
from federation.runtime import Federation
from federation.schemas import DirectoryState, FederationStatus, MemberPublic, RemoteServicePublic
from federation.signing import (
    DIRECTORY_TYPE,
    SignatureRefused,
    fresh,
    key_set,
    peek,
    public_keys,
    sign,
    verify,
)
from registry.auth import Principal
from registry.contracts.service import ContractService
from registry.storage import utcnow

FRESHNESS_SECONDS = 300.0  # a signed join request or report older than this is refused (a replay)
MAX_KEYS = 4
# what each decision may follow: approve a pending or refused request, suspend an active member, resume it
TRANSITIONS: dict[str, tuple[set[MemberStatus], MemberStatus]] = {
    "approve": ({MemberStatus.PENDING, MemberStatus.REFUSED}, MemberStatus.ACTIVE),
    "refuse": ({MemberStatus.PENDING}, MemberStatus.REFUSED),
    "suspend": ({MemberStatus.ACTIVE}, MemberStatus.SUSPENDED),
    "resume": ({MemberStatus.SUSPENDED}, MemberStatus.ACTIVE),
}


def member_public(member: FederationMember) -> MemberPublic:
    return MemberPublic.model_validate(member, from_attributes=True)


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds).astimezone()


def _remote(service: dict[str, Any]) -> RemoteServicePublic:
    return RemoteServicePublic(
        member=service["member"],
        address=service["address"],
        title=service["title"],
        version=service["version"],
        published_at=service["published_at"],
        specification=f"/api/v1/federation/catalogue/{service['address']}/openapi.json",
    )


class NationalFederation:
    """The national tier's side: members and their decisions, reports of published services, the directory."""

    def __init__(self, session: AsyncSession, federation: Federation) -> None:
        if not federation.config.is_national:
            raise NotNationalTier("this platform is not the national tier (LGSP_TIER=national)")
        self.session = session
        self.federation = federation
        self.members = MemberRepository(session)
        self.services = PublishedServiceRepository(session)
        self.versions = VersionRepository(session)

    async def request_to_join(self, token: str) -> MemberPublic:
        """A platform asks to join: the request must be signed by a key it names (it holds the private half)."""
        claimed = peek(token)
        keys = claimed.get("keys")
        if (
            not isinstance(keys, list)
            or not 1 <= len(keys) <= MAX_KEYS
            or not all(isinstance(k, dict) for k in keys)
        ):
            raise InvalidInput(f"a join request names 1 to {MAX_KEYS} public keys (JWKs)")
        if any("d" in key for key in keys):
            raise InvalidInput("a join request must not carry a private key")
        try:
            trusted = key_set(keys)
        except ValueError as exc:
            raise InvalidInput(f"a key of the join request is not a JWK: {exc}") from None
        if len(trusted.keys) != len(keys):
            raise InvalidInput("a join request names EC P-256 or Ed25519 public keys, each with a kid")
        payload = verify(token, trusted)
        if not fresh(payload, FRESHNESS_SECONDS):
            raise SignatureRefused("the join request is not fresh (its iat is missing or too far from now)")
        code, name, base_url = (str(payload.get(field, "")) for field in ("code", "name", "base_url"))
        await accept_once(self.session, payload, "join request", code, FRESHNESS_SECONDS)
        errors = []
        if not is_agency_code(code):
            errors.append(
                {"pointer": "/code", "message": "an agency code (Decision 20/2020/QĐ-TTg), e.g. H50"}
            )
        if not 0 < len(name) <= 300:
            errors.append({"pointer": "/name", "message": "1 to 300 characters"})
        if not base_url.startswith(("http://", "https://")) or len(base_url) > 500:
            errors.append({"pointer": "/base_url", "message": "an http(s) URL of at most 500 characters"})
        if errors:
            raise InvalidInput("the join request is incomplete", errors=errors)
        member = await self.members.get(code)
        if member is not None and member.status not in (MemberStatus.PENDING, MemberStatus.REFUSED):
            raise Conflict(f"member {code} is already {member.status}: it cannot ask to join again")
        member = member or FederationMember(code=code, name=name, base_url=base_url)
        member.name, member.base_url, member.status = name, base_url, MemberStatus.PENDING
        member.keys = [{k: v for k, v in key.items() if k != "d"} for key in keys]
        member.requested_at, member.decided_at, member.decided_by = utcnow(), None, None
        await self.members.add(member)
        await self.session.commit()
        return member_public(member)

    async def listed(self, principal: Principal, status: MemberStatus | None = None) -> list[MemberPublic]:
        principal.require_admin()
        return [member_public(member) for member in await self.members.listed(status)]

    async def get(self, code: str, principal: Principal) -> MemberPublic:
        principal.require_admin()
        return member_public(await self._member(code))

    async def decide(self, code: str, action: str, principal: Principal) -> MemberPublic:
        """approve | refuse | suspend | resume, by a platform admin of the national tier; the directory changes."""
        principal.require_admin()
        member = await self._member(code)
        allowed, outcome = TRANSITIONS[action]
        if member.status not in allowed:
            raise Conflict(
                f"member {code} is {member.status}: it cannot be {outcome if action != 'resume' else 'resumed'}"
            )
        member.status, member.decided_by, member.decided_at = outcome, principal.client_id, utcnow()
        await self.members.add(member)
        await self.versions.bump()
        await self.session.commit()
        self.federation.changes += 1
        return member_public(member)

    async def report(self, token: str) -> RemoteServicePublic | None:
        """A member reports a service it shares nationally (or withdraws it), signed by its federation key."""
        code = peek(token).get("member")
        member = await self.members.get(code) if isinstance(code, str) else None
        if member is None:
            raise NotAMember(f"{str(code)[:40]} is not a member of the federation")
        payload = verify(token, key_set(member.keys))
        if not fresh(payload, FRESHNESS_SECONDS):
            raise SignatureRefused("the report is not fresh (its iat is missing or too far from now)")
        await accept_once(self.session, payload, "publication", member.code, FRESHNESS_SECONDS)
        if member.status != MemberStatus.ACTIVE:
            raise NotAMember(f"member {member.code} is {member.status}: it cannot publish")
        address = Address.parse(str(payload.get("address")))
        if address.agency != member.code and not address.agency.startswith(member.code + "."):
            raise NotAMember(f"{address} is not an agency of member {member.code}")
        existing = await self.services.get(str(address))
        if not payload.get("national", True):
            if existing is None:
                raise NotFound(f"{address} is not published nationally")
            await self.services.delete(existing)
            await self.versions.bump()
            await self.session.commit()
            self.federation.changes += 1
            return None
        title, version, openapi = payload.get("title"), payload.get("version"), payload.get("openapi")
        if not isinstance(title, str) or not isinstance(version, str) or not isinstance(openapi, dict):
            raise InvalidInput("a report names the service's title, version and OpenAPI document")
        service = existing or FederationService(
            address=str(address), member_code=member.code, title=title, version=version
        )
        service.title, service.version, service.openapi, service.published_at = (
            title[:300],
            version[:64],
            openapi,
            utcnow(),
        )
        await self.services.add(service)
        await self.versions.bump()
        await self.session.commit()
        self.federation.changes += 1
        return _remote(self._service_entry(service))

    async def directory_payload(self) -> dict[str, Any]:
        config = self.federation.config
        now = time.time()
        members = [
            m
            for m in await self.members.listed()
            if m.status in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED)
        ]
        active = {m.code for m in members if m.status == MemberStatus.ACTIVE}
        return {
            "version": await self.versions.current(),
            "issued_at": now,
            "expires_at": now + config.validity_seconds,
            "national": {
                "code": config.code, "name": config.name, "base_url": config.base_url,
                "keys": public_keys(self.federation.key),
            },
            "members": [
                {"code": m.code, "name": m.name, "base_url": m.base_url, "keys": m.keys, "status": str(m.status)}
                for m in members
            ],
            "services": [
                self._service_entry(service) for service in await self.services.listed() if service.member_code in active
            ] + await national_entries(self.session, config.code),
        }  # fmt: skip

    async def signed_directory(self) -> str:
        return sign(await self.directory_payload(), self.federation.key, DIRECTORY_TYPE)

    async def catalogue(self) -> list[dict[str, Any]]:
        return list((await self.directory_payload())["services"])

    @staticmethod
    def _service_entry(service: FederationService) -> dict[str, Any]:
        return {
            "member": service.member_code,
            "address": service.address,
            "title": service.title,
            "version": service.version,
            "published_at": service.published_at.isoformat(),
            "openapi": service.openapi,
        }

    async def _member(self, code: str) -> FederationMember:
        member = await self.members.get(code)
        if member is None:
            raise NotFound(f"member {code} has not asked to join")
        return member


class MemberFederation:
    """A provincial or ministerial platform's side: joining, publishing nationally, the verified directory."""

    def __init__(self, session: AsyncSession, federation: Federation) -> None:
        self.session = session
        self.federation = federation

    @property
    def directory(self) -> Directory | None:
        return self.federation.copy.current if self.federation.copy else None

    def _national_url(self) -> str:
        url = self.federation.config.national_url
        if self.federation.config.is_national or not url:
            raise NotFederated("this platform has no national tier (LGSP_NATIONAL_URL) to join or report to")
        return url.rstrip("/")

    async def join(self, name: str | None, principal: Principal) -> dict[str, Any]:
        principal.require_admin()
        self._national_url()
        config, key = self.federation.config, self.federation.key
        request = sign(
            {
                "code": config.code, "name": name or config.name, "base_url": config.base_url,
                "keys": public_keys(key), "iat": int(time.time()), "jti": str(uuid.uuid4()),
            },
            key,
        )  # fmt: skip
        return await self._send("/api/v1/federation/members", {"request": request})

    async def publish(self, address_text: str, national: bool, principal: Principal) -> dict[str, Any]:
        """Share a service version beyond the province (or withdraw it): reported to the national tier, signed."""
        address = Address.parse(address_text)
        principal.require_manage(address.agency)
        self._national_url()
        code = self.federation.config.code
        directory = self.directory
        if directory is None or not directory.is_active(code):
            version = directory.version if directory else None
            raise NotAMember(
                f"{code} is not an active member in the verified federation directory (version {version})"
            )
        payload: dict[str, Any] = {
            "member": code,
            "address": str(address),
            "national": national,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
        }
        if national:
            _, found = await ContractService(self.session).version(
                Kind.SERVICE, address.agency, address.code, f"v{address.major}"
            )
            document = ContractDocument.model_validate(found.document)
            payload |= {
                "title": document.title,
                "version": found.version,
                "openapi": service_openapi(document, server_url=self.federation.config.base_url.rstrip("/")),
            }
        answer = await self._send(
            "/api/v1/federation/services", {"report": sign(payload, self.federation.key)}
        )
        return answer or {"address": str(address), "national": False}

    def status(self) -> FederationStatus:
        config = self.federation.config
        copy = self.federation.copy
        directory = self.directory
        member = directory.member(config.code) if directory else None
        return FederationStatus(
            tier=config.tier,
            member_code=config.code,
            national_url=config.national_url,
            member_status="national" if config.is_national else (member or {}).get("status"),
            directory=DirectoryState(
                version=directory.version if directory else None,
                issued_at=_moment(directory.issued_at if directory else None),
                expires_at=_moment(directory.expires_at if directory else None),
                source=copy.source if copy else "none",
                fetched_at=_moment(copy.fetched_at if copy else None),
                last_error=copy.last_error if copy else None,
                members=len(directory.members) if directory else 0,
            ),
        )

    def catalogue(self) -> list[dict[str, Any]]:
        directory = self.directory
        if directory is None:
            return []
        return directory.remote_services(self.federation.config.code)

    async def _send(self, path: str, body: dict[str, Any]) -> Any:
        try:
            async with httpx.AsyncClient(timeout=10.0) as http:
                response = await http.post(self._national_url() + path, json=body)
        except httpx.HTTPError as exc:
            raise NationalUnavailable(
                f"the national tier cannot be reached: {exc.__class__.__name__}"
            ) from None
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", ""))[:500]
            except ValueError:
                detail = ""
            raise NationalRefused(
                f"the national tier answered {response.status_code}: {detail}",
                national_status=response.status_code,
            )
        return response.json() if response.content else None


async def catalogue(session: AsyncSession, federation: Federation) -> list[dict[str, Any]]:
    """The remote services this platform shows: on the national tier from its own records, else the directory."""
    if federation.config.is_national:
        return await NationalFederation(session, federation).catalogue()
    return MemberFederation(session, federation).catalogue()


def remote_public(service: dict[str, Any]) -> RemoteServicePublic:
    return _remote(service)

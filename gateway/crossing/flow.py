"""Calling across the federation: origin → national tier → provider, each hop authenticated to the next by an
RFC 7523 client assertion, each validating against the published contract, each logging the exchange under
the same exchange id with its role (origin, transit, provider).

A client calls its own gateway's `POST /exchange/{agency}/{service}/v{major}`; when no local service answers
there but another member publishes one in the verified directory, `originate` takes the call. The next hops
receive it on `POST /api/v1/federation/exchange/{address}` (`relay`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, Final

import httpx
import jsonschema_rs
import orjson
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts import pointers
from contracts.envelope import EXCHANGE_REQUEST, deadline_after
from contracts.errors import Conflict, InvalidInput, LgspError, Unauthorized
from contracts.validation import MAX_VIOLATIONS, Violation, compile_schema
from federation.assertions import AssertionRefused, AssertionVerifier, make_assertion
from federation.directory import Directory
from federation.errors import NotAMember
from federation.runtime import Federation
from federation.service import NationalFederation
from gateway.crossing.grants import RECHECK_SECONDS, GrantIndex
from gateway.crossing.http import HopBroken, HopClient, HopConnectFailed, HopResponse
from gateway.crossing.origin import require_scope
from gateway.crossing.provider import note_reply, passed_on_headers, provided_headers, tolerated
from gateway.exchange.calls import ServiceCalls
from gateway.exchange.directory import Route
from gateway.exchange.errors import MalformedBody, NoGrant, ReplyInvalid, RequestInvalid, UnknownService
from gateway.exchange.flow import ExchangeFlow, Inbound, Outbound, trace_context
from gateway.exchangelog.models import Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.writer import LogRefused
from registry.storage import utcnow

log = logging.getLogger("lgsp.federation")

ORIGIN, TRANSIT, PROVIDER = "origin", "transit", "provider"
HOP_PATH: Final = "/api/v1/federation/exchange/"
CLIENT_HEADER: Final = "X-LGSP-Client"  # the calling client, `{member code}:{client id}`
DEADLINE_HEADER: Final = "X-LGSP-Deadline"  # the origin's deadline, seconds since the epoch
CONNECT_TIMEOUT: Final = 1.0  # a hop that is down is known at once: the caller gets 503, not a wait
_EXCHANGE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_REMOTE_CLIENT = re.compile(r"^([A-Z][A-Z0-9.]{0,34}):([A-Za-z0-9._-]{1,64})$")


class HopUnavailable(LgspError):
    name, status, title = "federation-hop-unavailable", 503, "The next hop of the federation is unavailable"


class HopTimeout(LgspError):
    name, status, title = "federation-hop-timeout", 504, "No reply across the federation in time"


@lru_cache(maxsize=256)
def _relayed_class(name: str, status: int, title: str) -> type[LgspError]:
    return type("RelayedProblem", (LgspError,), {"name": name, "status": status, "title": title})


def relayed(response: HopResponse, hop: str) -> LgspError:
    """The next hop's problem, passed back as it was (its type, status and detail), naming where it happened."""
    try:
        problem = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    kind = str(problem.get("type", ""))
    name = (
        kind.removeprefix("urn:lgsp:error:")[:100] if kind.startswith("urn:lgsp:error:") else "federation-hop"
    )
    status = response.status_code if 400 <= response.status_code < 600 else 502
    title = str(problem.get("title") or "Refused across the federation")[:200]
    detail = str(problem.get("detail") or f"{hop} answered {response.status_code}")[:500]
    extra = {"at": str(problem.get("at", hop))[:40]}
    headers = {"Retry-After": response.headers["retry-after"]} if "retry-after" in response.headers else {}
    return _relayed_class(name, status, title)(
        detail, errors=problem.get("errors") or None, headers=headers, **extra
    )


@dataclass(frozen=True, slots=True)
class RemoteContract:
    """A published service's request and response schemas, compiled from the OpenAPI in the directory."""

    address: str
    member: str
    version: str
    request: jsonschema_rs.Validator
    response: jsonschema_rs.Validator

    @classmethod
    def of(cls, service: dict[str, Any]) -> RemoteContract:
        address = str(service["address"])
        openapi = service["openapi"]
        operation = openapi["paths"][f"/exchange/{address}"]["post"]
        components = openapi.get("components", {})
        request = operation["requestBody"]["content"]["application/json"]["schema"]
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        return cls(
            address,
            str(service["member"]),
            str(service.get("version", "")),
            compile_schema({"components": components, **request}),
            compile_schema({"components": components, **response}),
        )


def violations(validator: jsonschema_rs.Validator, instance: object) -> list[Violation]:
    if validator.is_valid(instance):
        return []
    return [
        Violation(pointers.from_path(error.instance_path), error.message[:300], str(error.schema_path[-1]))
        if error.schema_path
        else Violation(pointers.from_path(error.instance_path), error.message[:300])
        for error in islice(validator.iter_errors(instance), MAX_VIOLATIONS)
    ]


@dataclass(frozen=True, slots=True)
class Index:
    """What a directory version says, prepared once per version: published services and members' base URLs."""

    directory: Directory
    services: dict[str, RemoteContract]
    base_urls: dict[str, str]

    @classmethod
    def of(cls, directory: Directory) -> Index:
        services = {}
        for service in directory.services:
            if not directory.publishes(str(service.get("member"))):
                continue
            try:
                contract = RemoteContract.of(service)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("remote service %s is not callable: %r", service.get("address"), exc)
                continue
            services[contract.address] = contract
        base_urls = {str(m["code"]): str(m["base_url"]).rstrip("/") for m in directory.members}
        return cls(directory, services, base_urls)


@dataclass(slots=True)
class Hop:
    """A call as it arrives from the previous hop."""

    address: str
    assertion: str | None
    exchange_id: str | None
    client: str | None
    deadline: str | None
    inbound: Inbound


class Crossing(ExchangeFlow):
    """One gateway's part in calls across the federation, with ONE shared HTTP client to the next hops."""

    kind = ServiceCalls.kind
    record_kind = ServiceCalls.record_kind

    def __init__(
        self, federation: Federation, calls: ServiceCalls, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        super().__init__(calls.services)
        self.federation = federation
        self.calls = calls
        self.sessionmaker = sessionmaker
        self.config = federation.config
        self.verifier = AssertionVerifier(self.config.base_url)
        self.grants = GrantIndex(sessionmaker)
        self.hops = HopClient()  # the calls forwarded (see gateway/crossing/http.py)
        self.http = httpx.AsyncClient(  # the rest: reading the other hops of a trace
            timeout=httpx.Timeout(calls.reply_timeout, connect=CONNECT_TIMEOUT),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )
        self._index: Index | None = None
        self._national_lock = asyncio.Lock()
        self._national_changes, self._national_read_at = -1, float("-inf")

    @classmethod
    def of(
        cls, federation: Federation, calls: ServiceCalls, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> Crossing | None:
        """None outside any federation (no national tier configured, not the national tier)."""
        if federation.config.is_national or federation.copy is not None:
            return cls(federation, calls, sessionmaker)
        return None

    async def aclose(self) -> None:
        await self.hops.aclose()
        await self.http.aclose()

    # the directory, prepared once per version ----------------------------------------------------------------

    def _prepared(self, directory: Directory | None) -> Index | None:
        if directory is None:
            return None
        index = self._index
        if index is None or index.directory is not directory:
            index = self._index = Index.of(directory)
        return index

    def member_index(self) -> Index | None:
        copy = self.federation.copy
        return self._prepared(copy.current if copy is not None else None)

    async def index(self) -> Index | None:
        if not self.config.is_national:
            return self.member_index()
        # the national tier's own records, held until a change committed here (so a suspension is refused at
        # once), or for RECHECK_SECONDS (a change made through another instance on the same database)
        held, changes, began = self._index, self.federation.changes, time.monotonic()
        if (
            held is not None
            and changes == self._national_changes
            and began - self._national_read_at < RECHECK_SECONDS
        ):
            return held
        async with self.sessionmaker() as session:
            national = NationalFederation(session, self.federation)
            version = await national.versions.current()
            if held is not None and held.directory.version == version:
                self._national_changes, self._national_read_at = changes, began
                return held
            async with self._national_lock:
                payload = await national.directory_payload()
        directory = Directory(
            token="",
            version=int(payload["version"]),
            issued_at=float(payload["issued_at"]),
            expires_at=float(payload["expires_at"]),
            national=dict(payload["national"]),
            members=list(payload["members"]),
            services=list(payload["services"]),
        )
        prepared = self._prepared(directory)
        self._national_changes, self._national_read_at = changes, began
        return prepared

    def is_remote(self, address: str) -> bool:
        """A member's call to an address no local service answers but another member publishes."""
        if self.config.is_national or self.services.directory.route(address) is not None:
            return False
        if self.services.directory.alias(address) is not None:
            return False
        index = self.member_index()
        return index is not None and address in index.services

    # the origin ----------------------------------------------------------------------------------------------

    async def originate(self, inbound: Inbound) -> Outbound:
        return self._located(await self._originate(inbound))

    async def _originate(self, inbound: Inbound) -> Outbound:
        record, traceparent = self.begin(inbound)
        record.role = ORIGIN
        opened = False
        try:
            principal = self._principal(inbound.authorization)
            record.client_id, record.consumer_agency = principal.client_id, principal.agency
            index = self.member_index()
            contract = index.services.get(inbound.address) if index else None
            if index is None or contract is None:
                raise UnknownService(f"no service is published at {inbound.address}")
            record.provider_agency, record.contract_version = inbound.address.split("/")[0], contract.version
            if not await self.grants.allows(principal.client_id, inbound.address):
                raise NoGrant(
                    f"client {principal.client_id} holds no federation grant to call {inbound.address}"
                )
            require_scope(principal, inbound.address)
            body, payload = await self._body(inbound, record)
            self._check(contract.request, payload, "request", contract)
            await self.services.writer.open(record)
            opened = True
            deadline = time.time() + self.calls.reply_timeout
            national = str(index.directory.national.get("base_url") or self.config.national_url or "")
            answer = await self._send(
                record, national.rstrip("/"), "the national tier", inbound.address, body,
                client=f"{self.config.code}:{principal.client_id}", deadline=deadline, traceparent=traceparent,
            )  # fmt: skip
            self._check(contract.response, orjson.loads(answer), "response", contract)
            return await self._done(record, answer)
        except LgspError as error:
            return await self.fail(record, error, opened)
        except orjson.JSONDecodeError:
            return await self.fail(
                record, ReplyInvalid("the reply across the federation is not JSON"), opened
            )

    # the national tier and the provider ---------------------------------------------------------------------

    async def relay(self, hop: Hop) -> Outbound:
        inbound = hop.inbound
        record = ExchangeRecord(
            id=new_exchange_id(),
            kind=self.record_kind,
            instance=self.services.instance,
            received_at=utcnow(),
            address=hop.address[:200],
            role=TRANSIT if self.config.is_national else PROVIDER,
        )
        record.trace_id, _ = trace_context(inbound.traceparent)
        try:
            return self._located(await self._relay(record, hop))
        except LogRefused:
            # the id is in this platform's log already (a replayed or forged exchange id): nothing more is logged
            problem = Conflict(f"exchange {record.id} is already in this platform's log").problem()
            return self._located(
                Outbound(409, orjson.dumps(problem | {"exchange_id": record.id}), problem=True)
            )

    def _located(self, outbound: Outbound) -> Outbound:
        """A problem names the platform where it happened, so the origin's caller knows which hop refused."""
        if outbound.problem:
            problem = orjson.loads(outbound.body)
            problem.setdefault("at", self.config.code)
            outbound.body = orjson.dumps(problem)
        return outbound

    async def _relay(self, record: ExchangeRecord, hop: Hop) -> Outbound:
        opened = False
        try:
            if hop.exchange_id is None or not _EXCHANGE_ID.match(hop.exchange_id):
                raise InvalidInput("X-Exchange-ID must carry the origin's exchange id (a UUIDv7)")
            record.id = hop.exchange_id
            found = _REMOTE_CLIENT.match(hop.client or "")
            if found is None:
                raise InvalidInput(f"{CLIENT_HEADER} must name the calling client as MEMBER:CLIENT_ID")
            record.client_id, record.consumer_agency = hop.client, found[1]
            record.provider_agency = hop.address.split("/")[0][:35]
            deadline = _deadline(hop.deadline)
            index = await self.index()
            if index is None:
                raise NotAMember("this platform holds no verified federation directory")
            if not hop.assertion:
                raise Unauthorized("a client assertion (RFC 7523) is required as the bearer token")
            signer = self.verifier.verify(hop.assertion, index.directory)
            if self.config.is_national:
                if signer != found[1]:
                    raise AssertionRefused(f"{signer} may call only for its own clients, not {found[1]}'s")
                if answers_here(index, hop.address, self.config.code):
                    record.role = PROVIDER  # a national database's service: the national tier is its provider
                    return await self._provide(record, hop, deadline)
                return await self._transit(record, hop, index, deadline)
            if signer != index.directory.national.get("code"):
                raise AssertionRefused("only the national tier forwards calls to a member")
            return await self._provide(record, hop, deadline)
        except LgspError as error:
            return await self.fail(record, error, opened)

    async def _transit(self, record: ExchangeRecord, hop: Hop, index: Index, deadline: float) -> Outbound:
        opened = False
        try:
            contract = index.services.get(hop.address)
            if contract is None:
                raise UnknownService(f"no member publishes {hop.address} in the federation directory")
            record.contract_version = contract.version
            body, payload = await self._body(hop.inbound, record)
            self._check(contract.request, payload, "request", contract)
            await self.services.writer.open(record)
            opened = True
            provider = index.base_urls[contract.member]
            answer = await self._send(
                record, provider, f"member {contract.member}", hop.address, body,
                client=str(hop.client), deadline=deadline, traceparent=hop.inbound.traceparent,
            )  # fmt: skip
            self._check(contract.response, orjson.loads(answer), "response", contract)
            return await self._done(record, answer)
        except LgspError as error:
            return await self.fail(record, error, opened)
        except orjson.JSONDecodeError:
            return await self.fail(record, ReplyInvalid("the provider's reply is not JSON"), opened)

    async def _provide(self, record: ExchangeRecord, hop: Hop, deadline: float) -> Outbound:
        """Answered through this member's own connector, exactly as a local call: contract, bus, reply checked."""
        opened = False
        try:
            route: Route | None = self.services.directory.route(hop.address)
            if route is None:
                raise UnknownService(f"no service is published at {hop.address}")
            record.provider_agency, record.database_id, record.contract_version = (
                route.agency,
                route.database_id,
                route.version,
            )
            grant = await self.grants.rule(str(hop.client), hop.address)
            if grant is None:
                raise NoGrant(f"{hop.client} holds no grant here for {hop.address}")
            self._check_retired(route, record)
            self._check_maintenance(route, record)
            await self._limit(grant)
            body, payload = await self._body(hop.inbound, record)
            found = route.contract.validate_request(payload)
            if found:
                raise _invalid(found, route.address, route.version)
            await self.services.writer.open(record)
            opened = True
            remaining = deadline - time.time()
            if remaining <= 0:
                raise HopTimeout("the call's deadline passed before it reached the provider")
            _, traceparent = trace_context(hop.inbound.traceparent)
            envelope = self.envelope(
                record, route, EXCHANGE_REQUEST, body, replyto=self.services.bus.reply_topic,
                traceparent=traceparent, deadline=deadline_after(remaining),
            )  # fmt: skip
            answer = await self.calls._forward(record, route, grant, envelope, timeout=remaining)
            await self.services.writer.close(record)
            return Outbound(200, answer, self.headers(record) | provided_headers(grant))
        except LgspError as error:
            return await self.fail(record, error, opened)

    # shared steps ---------------------------------------------------------------------------------------------

    async def _body(self, inbound: Inbound, record: ExchangeRecord) -> tuple[bytes, Any]:
        body = await self._json_body(inbound, record)
        try:
            return body, orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise MalformedBody(f"the body is not JSON: {exc}") from None

    @staticmethod
    def _check(validator: jsonschema_rs.Validator, payload: Any, part: str, contract: RemoteContract) -> None:
        found = violations(validator, payload)
        if part == "response":
            found = tolerated(found)
        if not found:
            return
        if part == "request":
            raise _invalid(found, contract.address, contract.version)
        raise ReplyInvalid(
            f"the reply does not match {contract.address} {contract.version}; it was not passed on",
            errors=[{"pointer": v.pointer, "keyword": v.keyword} for v in found],
        )

    async def _send(
        self, record: ExchangeRecord, base_url: str, hop: str, address: str, body: bytes, *,
        client: str, deadline: float, traceparent: str | None,
    ) -> bytes:  # fmt: skip
        remaining = deadline - time.time()
        if remaining <= 0:
            raise HopTimeout(f"the call's deadline passed before it reached {hop}")
        headers = {
            "Authorization": f"Bearer {make_assertion(self.federation.key, self.config.code, base_url)}",
            "Content-Type": "application/json",
            "X-Exchange-ID": record.id,
            CLIENT_HEADER: client,
            DEADLINE_HEADER: f"{deadline:.3f}",
        }
        if traceparent:
            headers["traceparent"] = traceparent
        record.sent_at = utcnow()
        try:
            response = await self.hops.post(
                f"{base_url}{HOP_PATH}{address}", body, headers,
                seconds=remaining, connect_seconds=min(CONNECT_TIMEOUT, remaining),
            )  # fmt: skip
        except HopConnectFailed:
            raise HopUnavailable(f"{hop} cannot be reached") from None
        except TimeoutError:
            raise HopTimeout(f"no reply from {hop} within the call's deadline") from None
        except HopBroken as exc:
            raise HopUnavailable(f"{hop} went away during the call ({exc})") from None
        except ValueError as exc:  # an address in the directory that is not an http(s) URL
            raise HopUnavailable(f"{hop} cannot be reached: {exc}") from None
        finally:
            record.replied_at = utcnow()
        if response.status_code != 200:
            raise relayed(response, hop)
        note_reply(response)
        return response.content

    async def _done(self, record: ExchangeRecord, answer: bytes) -> Outbound:
        record.outcome, record.http_status, record.completed_at = Outcome.OK, 200, utcnow()
        record.response_size, record.response_sha256 = len(answer), hashlib.sha256(answer).hexdigest()
        await self.services.writer.close(record)
        return Outbound(200, answer, self.headers(record) | passed_on_headers())


def answers_here(index: Index, address: str, code: str) -> bool:
    """Whether the directory lists `address` as published by `code` itself (the national tier's own service)."""
    contract = index.services.get(address)
    return contract is not None and contract.member == code


def _invalid(found: list[Violation], address: str, version: str) -> RequestInvalid:
    return RequestInvalid(
        f"the request does not match {address} {version}: "
        + "; ".join(f"{v.pointer or '/'}: {v.message}" for v in found[:3]),
        errors=[v.as_error() for v in found],
    )


def _deadline(text: str | None) -> float:
    try:
        deadline = float(text or "")
    except ValueError:
        raise InvalidInput(
            f"{DEADLINE_HEADER} must carry the call's deadline (seconds since the epoch)"
        ) from None
    if deadline != deadline or deadline > time.time() + 3600:  # NaN, or a deadline no origin would set
        raise InvalidInput(f"{DEADLINE_HEADER} is out of range")
    return deadline

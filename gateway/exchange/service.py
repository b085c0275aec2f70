"""A service call, end to end (DESIGN.md §5 flow 2): every outcome answered with its own problem and logged."""

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bus import Bus
from contracts.document import Kind
from contracts.envelope import EXCHANGE_REQUEST, STATUS_OK, Envelope, utc_now
from contracts.errors import LgspError, Unauthorized
from contracts.signing import sign_envelope
from gateway.exchange.directory import Directory, GrantRule, Route
from gateway.exchange.errors import (
    InsufficientScope,
    MalformedBody,
    NoGrant,
    ProviderError,
    RateLimited,
    ReplyInvalid,
    RequestInvalid,
    UnknownService,
    UnsupportedMediaType,
    outcome_for,
)
from gateway.exchange.fields import project
from gateway.exchange.ratelimit import RateLimiter
from gateway.exchangelog.capture import PayloadCipher
from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.writer import LogUnavailable, LogWriter
from gateway.oauth.keys import KeyRing
from gateway.oauth.tokens import TokenService
from registry.auth import ADMIN_SCOPE, Principal
from registry.storage import utcnow

log = logging.getLogger("lgsp.exchange")
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="lgsp"'}


@dataclass(slots=True)
class CallRequest:
    address: str
    authorization: str | None
    content_type: str | None
    read_body: Callable[[], Any]  # an awaitable returning the body (raises PayloadTooLarge past the limit)
    request_id: str | None = None
    traceparent: str | None = None
    respond_async: bool = False


@dataclass(slots=True)
class CallResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    problem: bool = False


def trace_context(traceparent: str | None) -> tuple[str, str]:
    """(trace id, traceparent for the bus): the caller's W3C trace continued, or a new one."""
    parts = traceparent.split("-") if traceparent else []
    trace_id = parts[1] if len(parts) == 4 and len(parts[1]) == 32 else secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


class ExchangeService:
    def __init__(
        self,
        *,
        directory: Directory,
        bus: Bus,
        writer: LogWriter,
        tokens: TokenService,
        keyring: KeyRing,
        cipher: PayloadCipher,
        instance: str,
        reply_timeout: float,
        max_body_bytes: int,
        save_result: Callable[[str, bytes], Any],
    ) -> None:
        self.directory = directory
        self.bus = bus
        self.writer = writer
        self.tokens = tokens
        self.keyring = keyring
        self.cipher = cipher
        self.instance = instance
        self.source = f"urn:lgsp:gateway:{instance}"
        self.reply_timeout = reply_timeout
        self.max_body_bytes = max_body_bytes
        self.limiter = RateLimiter()
        self.save_result = save_result
        self._background: set[asyncio.Task[None]] = set()

    async def call(self, call: CallRequest) -> CallResponse:
        record = ExchangeRecord(
            id=new_exchange_id(),
            kind=ExchangeKind.SERVICE,
            instance=self.instance,
            received_at=utcnow(),
            address=call.address[:200],
            request_id=(call.request_id or "")[:200] or None,
        )
        record.trace_id, traceparent = trace_context(call.traceparent)
        opened = False
        try:
            route, grant, data = await self._admit(call, record)
            await self.writer.open(record)
            opened = True
            envelope = self._envelope(record, route, data, traceparent)
            if call.respond_async:
                task = asyncio.create_task(self._complete_async(record, route, grant, envelope))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                return CallResponse(
                    202,
                    orjson.dumps({"exchange_id": record.id, "status": "pending"}),
                    self._headers(record)
                    | {"Location": f"/api/v1/exchanges/{record.id}", "Preference-Applied": "respond-async"},
                )
            body = await self._forward(record, route, grant, envelope)
            await self.writer.close(record)
            return CallResponse(200, body, self._headers(record))
        except LgspError as error:
            return await self._fail(record, error, opened)

    async def _admit(self, call: CallRequest, record: ExchangeRecord) -> tuple[Route, GrantRule, bytes]:
        """Authenticate, authorise, rate-limit and validate; returns the route, grant and request body."""
        principal = self._principal(call.authorization)
        record.client_id, record.consumer_agency = principal.client_id, principal.agency
        route = self.directory.route(call.address)
        if route is None or route.kind is not Kind.SERVICE:
            raise UnknownService(f"no service is published at {call.address}")
        record.provider_agency, record.database_id, record.contract_version = (
            route.agency,
            route.database_id,
            route.version,
        )
        if route.address not in principal.scopes and ADMIN_SCOPE not in principal.scopes:
            raise InsufficientScope(
                f"the token's scope does not include {route.address}; ask /oauth/token for it",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{route.address}"'},
            )
        grant = self.directory.grant(principal.client_id, route.address, record.received_at)
        if grant is None:
            raise NoGrant(f"client {principal.client_id} holds no active grant for {route.address}")
        if grant.calls_per_minute is not None:
            wait = self.limiter.acquire(grant.grant_id, grant.calls_per_minute)
            if wait is not None:
                raise RateLimited(
                    f"the grant allows {grant.calls_per_minute} calls per minute",
                    headers={"Retry-After": RateLimiter.retry_after(wait)},
                )
        media_type = (call.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise UnsupportedMediaType(
                f"send the request as application/json, not '{media_type or 'nothing'}'"
            )
        body: bytes = await call.read_body()
        record.request_size = len(body)
        record.request_sha256 = hashlib.sha256(body).hexdigest()
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise MalformedBody(f"the body is not JSON: {exc}") from None
        violations = route.contract.validate_request(payload)
        if violations:
            raise RequestInvalid(
                f"the request does not match {route.address} {route.version}: "
                + "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations[:3]),
                errors=[{"pointer": v.pointer, "message": v.message} for v in violations],
            )
        if route.capture:
            record.request_payload = self.cipher.seal(payload, route.document.sensitive)
        return route, grant, body

    def _principal(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("a bearer token is required (POST /oauth/token)", headers=_INVALID_TOKEN)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("send the token as 'Authorization: Bearer <token>'", headers=_INVALID_TOKEN)
        principal = self.tokens.verify(token.strip())
        if self.directory.is_disabled(principal.client_id):
            raise Unauthorized(f"client {principal.client_id} is disabled or unknown", headers=_INVALID_TOKEN)
        return principal

    def _envelope(self, record: ExchangeRecord, route: Route, data: bytes, traceparent: str) -> Envelope:
        envelope = Envelope(
            id=record.id,
            source=self.source,
            type=EXCHANGE_REQUEST,
            subject=route.address,
            data=data,
            time=utc_now(),
            replyto=self.bus.reply_topic,
            consumer=record.consumer_agency,
            traceparent=traceparent,
        )
        return sign_envelope(envelope, self.keyring.signing_key, self.keyring.kid)

    async def _forward(
        self, record: ExchangeRecord, route: Route, grant: GrantRule, envelope: Envelope
    ) -> bytes:
        """Send the request over the bus and check the reply; returns the body for the consumer."""
        record.sent_at = utcnow()
        reply = await self.bus.request(route.topic, envelope, timeout=self.reply_timeout)
        record.replied_at = utcnow()
        if reply.status != STATUS_OK:
            raise ProviderError(f"the provider of {route.address} failed: {_reason(reply.data)}")
        try:
            answer = orjson.loads(reply.data)
        except orjson.JSONDecodeError:
            raise ReplyInvalid(
                f"the provider of {route.address} answered with something other than JSON"
            ) from None
        violations = route.contract.validate_response(answer)
        if violations:
            log.warning(
                "reply to %s from %s breaks its contract: %s", record.id, route.address, violations[:3]
            )
            raise ReplyInvalid(
                f"the provider's reply does not match {route.address} {route.version}; it was not passed on",
                errors=[{"pointer": v.pointer, "message": v.message} for v in violations],
            )
        if route.capture:
            record.response_payload = self.cipher.seal(answer, route.document.sensitive)
        body = reply.data if grant.fields is None else orjson.dumps(project(answer, grant.fields))
        record.outcome, record.http_status, record.completed_at = Outcome.OK, 200, utcnow()
        record.response_size, record.response_sha256 = len(body), hashlib.sha256(body).hexdigest()
        return body

    async def _complete_async(
        self, record: ExchangeRecord, route: Route, grant: GrantRule, envelope: Envelope
    ) -> None:
        try:
            body = await self._forward(record, route, grant, envelope)
            await self.save_result(record.id, body)
            await self.writer.close(record)
        except LgspError as error:
            await self._fail(record, error, opened=True)

    async def _fail(self, record: ExchangeRecord, error: LgspError, opened: bool) -> CallResponse:
        record.outcome = outcome_for(error.status)
        record.http_status, record.error_type = error.status, error.name
        record.completed_at = utcnow()
        problem = error.problem(f"/exchange/{record.address}")
        try:
            await self.writer.close(record, opened=opened)
        except LogUnavailable as unavailable:
            return self._problem(record, unavailable.status, unavailable.problem(), unavailable.headers)
        return self._problem(record, error.status, problem, error.headers)

    def _problem(
        self, record: ExchangeRecord, status: int, problem: dict[str, Any], headers: dict[str, str]
    ) -> CallResponse:
        problem["exchange_id"] = record.id
        return CallResponse(status, orjson.dumps(problem), self._headers(record) | headers, problem=True)

    @staticmethod
    def _headers(record: ExchangeRecord) -> dict[str, str]:
        return {"X-Exchange-ID": record.id, "X-Request-ID": record.request_id or record.id}

    async def drain(self) -> None:
        """Let asynchronous calls in flight finish (on shutdown)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


def _reason(data: bytes) -> str:
    try:
        problem = orjson.loads(data)
    except orjson.JSONDecodeError:
        return data[:200].decode(errors="replace") or "no detail"
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or "no detail")[:500]
    return "no detail"

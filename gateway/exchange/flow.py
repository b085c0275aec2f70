"""The flow every exchange goes through, a service call or a share (DESIGN.md §5 flows 2 and 3): the exchange as it
arrives (`Inbound`) and its answer (`Outbound`), the services it uses (`ExchangeServices`), and the steps they
share (`ExchangeFlow`): the checks before the bus, the log record, the signed envelope and the problem answers."""

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from bus import Bus
from contracts.document import Kind
from contracts.envelope import Envelope, utc_now
from contracts.errors import LgspError, Unauthorized, UnsupportedMediaType
from contracts.signing import sign_envelope
from gateway.exchange.directory import Directory, GrantRule, Route
from gateway.exchange.errors import (
    AddressRetired,
    AnonymousThrottled,
    InsufficientScope,
    MalformedBody,
    NoGrant,
    RateLimited,
    UnderMaintenance,
    UnknownService,
    VersionRetired,
    outcome_for,
)
from gateway.exchange.ratelimit import RateLimiter
from gateway.exchangelog.capture import PayloadCipher
from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.writer import LogUnavailable, LogWriter
from gateway.oauth.keys import KeyRing
from gateway.oauth.throttle import FailureThrottle
from gateway.oauth.tokens import TokenService
from registry.auth import ADMIN_SCOPE, Principal
from registry.storage import utcnow

_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="lgsp"'}


@dataclass(slots=True)
class Inbound:
    """An exchange as it arrives over HTTP."""

    address: str
    authorization: str | None
    content_type: str | None
    read_body: Callable[[], Awaitable[bytes]]  # raises PayloadTooLarge past the limit
    request_id: str | None = None
    traceparent: str | None = None
    respond_async: bool = False
    source: str = ""  # the caller's address, for the anonymous throttle
    former: str | None = None  # the former address called, when its successor answers it
    notice: dict[str, str] = field(default_factory=dict)  # the former address's deprecation headers


@dataclass(slots=True)
class Outbound:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    problem: bool = False


@dataclass(frozen=True, slots=True)
class ExchangeServices:
    """The shared services an exchange path needs."""

    directory: Directory
    bus: Bus
    writer: LogWriter
    tokens: TokenService
    keyring: KeyRing
    cipher: PayloadCipher
    instance: str
    max_body_bytes: int
    limiter: RateLimiter  # grant rates
    anonymous: FailureThrottle  # calls without a valid token, per source


def trace_context(traceparent: str | None) -> tuple[str, str]:
    """(trace id, traceparent for the bus): the caller's W3C trace continued, or a new one."""
    parts = traceparent.split("-") if traceparent else []
    trace_id = parts[1] if len(parts) == 4 and len(parts[1]) == 32 else secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


class ExchangeFlow:
    kind: Kind
    record_kind: ExchangeKind

    def __init__(self, services: ExchangeServices) -> None:
        self.services = services
        self.source = f"urn:lgsp:gateway:{services.instance}"

    def begin(self, inbound: Inbound) -> tuple[ExchangeRecord, str]:
        """A new log record for the exchange, and the traceparent to send on."""
        record = ExchangeRecord(
            id=new_exchange_id(),
            kind=self.record_kind,
            instance=self.services.instance,
            received_at=utcnow(),
            address=inbound.address[:200],
            request_id=(inbound.request_id or "")[:200] or None,
        )
        record.trace_id, traceparent = trace_context(inbound.traceparent)
        return record, traceparent

    async def admit(self, inbound: Inbound, record: ExchangeRecord) -> tuple[Route, GrantRule, bytes, Any]:
        """Authenticate, find the route, authorise, check the maintenance window, rate-limit and parse; each
        failure its own problem.

        A service's maintenance window is checked after the token, the scope and the grant, so only a caller
        who may call the service learns of it from the exchange path (anyone can read it in the catalogue);
        an unauthenticated caller still gets 401 and one without a grant 403. It is checked before the rate
        limit and the body, so calls refused during the window spend none of the grant's rate and need no
        valid body."""
        try:
            principal = self._principal(inbound.authorization)
        except Unauthorized:
            wait = await self.services.anonymous.attempt(f"source:{inbound.source}")
            if wait is not None:
                raise AnonymousThrottled(
                    "too many calls without a valid token from this address",
                    headers={"Retry-After": str(wait)},
                ) from None
            raise
        record.client_id, record.consumer_agency = principal.client_id, principal.agency
        route = self.services.directory.route(inbound.address) or self._successor(inbound, record)
        if route is None or route.kind is not self.kind:
            raise UnknownService(f"no {self.kind} is published at {inbound.address}")
        record.provider_agency, record.database_id, record.contract_version = (
            route.agency,
            route.database_id,
            route.version,
        )
        grant = self._authorise(principal, route, record, inbound.former)
        self._check_retired(route, record)
        self._check_maintenance(route, record)
        await self._limit(grant)
        body = await self._json_body(inbound, record)
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise MalformedBody(f"the body is not JSON: {exc}") from None
        return route, grant, body, payload

    def _principal(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("a bearer token is required (POST /oauth/token)", headers=_INVALID_TOKEN)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("send the token as 'Authorization: Bearer <token>'", headers=_INVALID_TOKEN)
        principal = self.services.tokens.verify(token.strip())
        if self.services.directory.is_disabled(principal.client_id):
            raise Unauthorized(f"client {principal.client_id} is disabled or unknown", headers=_INVALID_TOKEN)
        return principal

    def _successor(self, inbound: Inbound, record: ExchangeRecord) -> Route | None:
        """The route answering a former address (logged under its successor); refused once the sunset is past."""
        alias = self.services.directory.alias(inbound.address)
        if alias is None:
            return None
        root = "exchange" if self.kind is Kind.SERVICE else "share"
        if record.received_at >= alias.sunset_at:
            raise AddressRetired(
                f"{inbound.address} stopped answering on {alias.notice['Sunset']}; call /{root}/{alias.successor}",
                headers={"Link": alias.notice["Link"]},
                successor=f"/{root}/{alias.successor}",
            )
        inbound.former, inbound.address, inbound.notice = inbound.address, alias.successor, alias.notice
        record.address = alias.successor
        return self.services.directory.route(alias.successor)

    def _authorise(
        self, principal: Principal, route: Route, record: ExchangeRecord, former: str | None = None
    ) -> GrantRule:
        in_scope = route.address in principal.scopes or (former is not None and former in principal.scopes)
        if not in_scope and ADMIN_SCOPE not in principal.scopes:
            raise InsufficientScope(
                f"the token's scope does not include {route.address}; ask /oauth/token for it",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{route.address}"'},
            )
        grant = self.services.directory.grant(principal.client_id, route.address, record.received_at)
        if grant is None:
            raise NoGrant(f"client {principal.client_id} holds no active grant for {route.address}")
        return grant

    def _check_retired(self, route: Route, record: ExchangeRecord) -> None:
        if route.sunset_at is None or record.received_at < route.sunset_at:
            return
        root = "exchange" if route.kind is Kind.SERVICE else "share"
        detail = (
            f"{route.address} {route.version} stopped answering on {route.notice.get('Sunset', 'its sunset')}"
        )
        successor = self.services.directory.newer_major(route.address)
        if successor is None:
            raise VersionRetired(detail)
        raise VersionRetired(
            f"{detail}; call /{root}/{successor}",
            headers={"Link": f'</{root}/{successor}>; rel="successor-version"'},
            successor=f"/{root}/{successor}",
        )

    @staticmethod
    def _check_maintenance(route: Route, record: ExchangeRecord) -> None:
        window = route.maintenance
        if window is None or not window.covers(record.received_at):
            return
        until = window.as_json()["until"]
        raise UnderMaintenance(
            f"{route.document.title} ({route.address}) is under maintenance until {until}: {window.notice}",
            headers={"Retry-After": str(window.retry_after(record.received_at))},
            notice=window.notice,
            until=until,
        )

    async def _limit(self, grant: GrantRule) -> None:
        if grant.calls_per_minute is not None:
            wait = await self.services.limiter.acquire(grant.grant_id, grant.calls_per_minute)
            if wait is not None:
                raise RateLimited(
                    f"the grant allows {grant.calls_per_minute} calls per minute",
                    headers={"Retry-After": RateLimiter.retry_after(wait)},
                )

    @staticmethod
    async def _json_body(inbound: Inbound, record: ExchangeRecord) -> bytes:
        media_type = (inbound.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise UnsupportedMediaType(f"send the body as application/json, not '{media_type or 'nothing'}'")
        body = await inbound.read_body()
        record.request_size = len(body)
        record.request_sha256 = hashlib.sha256(body).hexdigest()
        return body

    def envelope(
        self, record: ExchangeRecord, route: Route, event_type: str, data: bytes, **extra: Any
    ) -> Envelope:
        """The signed envelope that carries the exchange over the bus."""
        envelope = Envelope(
            id=record.id,
            source=self.source,
            type=event_type,
            subject=route.subject,
            data=data,
            time=utc_now(),
            consumer=record.consumer_agency,
            **extra,
        )
        keys = self.services.keyring.envelopes
        return sign_envelope(envelope, keys.signing_key, keys.kid)

    async def fail(self, record: ExchangeRecord, error: LgspError, opened: bool) -> Outbound:
        """Log the failure, then answer with its problem (or 503 if even the log cannot be written)."""
        record.outcome = outcome_for(error)
        record.http_status, record.error_type = error.status, error.name
        record.completed_at = utcnow()
        try:
            if not isinstance(error, AnonymousThrottled):
                await self.services.writer.close(record, opened=opened)
        except LogUnavailable as unavailable:
            error = unavailable  # what the caller is answered, and what the log holds once it is back
            record.outcome, record.http_status, record.error_type = Outcome.UNAVAILABLE, 503, error.name
        problem = error.problem(f"/{'exchange' if self.kind is Kind.SERVICE else 'share'}/{record.address}")
        problem["exchange_id"] = record.id
        return Outbound(
            error.status, orjson.dumps(problem), self.headers(record) | error.headers, problem=True
        )

    @staticmethod
    def headers(record: ExchangeRecord) -> dict[str, str]:
        return {"X-Exchange-ID": record.id, "X-Request-ID": record.request_id or record.id}

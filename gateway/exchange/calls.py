"""Service calls (DESIGN.md §5 flow 2): validated, logged, signed, sent over the bus, the reply checked."""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

import orjson

from contracts.document import Kind
from contracts.envelope import EXCHANGE_REQUEST, STATUS_OK, Envelope, deadline_after
from contracts.errors import LgspError
from gateway.exchange.directory import GrantRule, Route
from gateway.exchange.errors import ProviderError, ProviderTimeout, ReplyInvalid, RequestInvalid
from gateway.exchange.fields import project
from gateway.exchange.flow import ExchangeFlow, ExchangeServices, Inbound, Outbound
from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord
from registry.storage import utcnow

log = logging.getLogger("lgsp.exchange")


class ServiceCalls(ExchangeFlow):
    kind = Kind.SERVICE
    record_kind = ExchangeKind.SERVICE

    def __init__(
        self,
        services: ExchangeServices,
        *,
        reply_timeout: float,
        save_result: Callable[[str, bytes], Awaitable[None]],
    ) -> None:
        super().__init__(services)
        self.reply_timeout = reply_timeout
        self.save_result = save_result
        self._background: set[asyncio.Task[None]] = set()

    async def call(self, inbound: Inbound) -> Outbound:
        record, traceparent = self.begin(inbound)
        opened = False
        try:
            route, grant, body, payload = await self.admit(inbound, record)
            violations = route.contract.validate_request(payload)
            if violations:
                raise RequestInvalid(
                    f"the request does not match {route.address} {route.version}: "
                    + "; ".join(f"{v.pointer or '/'}: {v.message}" for v in violations[:3]),
                    errors=[v.as_error() for v in violations],
                )
            if route.capture:
                record.request_payload = self.services.cipher.seal(payload, route.document.sensitive)
            await self.services.writer.open(record)
            opened = True
            envelope = self.envelope(
                record,
                route,
                EXCHANGE_REQUEST,
                body,
                replyto=self.services.bus.reply_topic,
                traceparent=traceparent,
                deadline=deadline_after(
                    self.reply_timeout
                ),  # connectors drop it unrun once we stopped waiting
            )
            if inbound.respond_async:
                return self._accept(record, route, grant, envelope)
            answer = await self._forward(record, route, grant, envelope)
            await self.services.writer.close(record)
            headers = self.headers(record)
            if route.notice:
                headers.update(route.notice)
            return Outbound(200, answer, headers)
        except LgspError as error:
            return await self.fail(record, error, opened)

    def _accept(self, record: ExchangeRecord, route: Route, grant: GrantRule, envelope: Envelope) -> Outbound:
        task = asyncio.create_task(self._complete_later(record, route, grant, envelope))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        location = f"/api/v1/exchanges/{record.id}"
        return Outbound(
            202,
            orjson.dumps({"exchange_id": record.id, "status": "pending", "location": location}),
            self.headers(record) | {"Location": location, "Preference-Applied": "respond-async"},
        )

    async def _forward(
        self,
        record: ExchangeRecord,
        route: Route,
        grant: GrantRule,
        envelope: Envelope,
        timeout: float | None = None,  # noqa: ASYNC109 (a call across the federation brings its own deadline)
    ) -> bytes:
        """Send the request over the bus and check the reply; returns the body for the consumer."""
        record.sent_at = utcnow()
        reply = await self.services.bus.request(route.topic, envelope, timeout=timeout or self.reply_timeout)
        record.replied_at = utcnow()
        if reply.status != STATUS_OK:
            problem = _provider_problem(reply.data)
            # an HTTP backend slower than its timeout is a timeout for the consumer too (connectors/http)
            failed = ProviderTimeout if problem.get("type") == ProviderTimeout.backend_type else ProviderError
            raise failed(
                f"the provider of {route.address} failed: {problem.get('detail', 'no detail')}",
                provider_problem=problem,
            )
        try:
            answer = orjson.loads(reply.data)
        except orjson.JSONDecodeError:
            raise ReplyInvalid(
                f"the provider of {route.address} answered with something other than JSON"
            ) from None
        violations = route.contract.validate_response(answer)
        if violations:
            # where and which rule, never the values: the reply may hold personal data the grant withholds
            where = [{"pointer": v.pointer, "keyword": v.keyword} for v in violations]
            log.warning(
                "reply to %s from %s breaks its contract at %s",
                record.id,
                route.address,
                ", ".join(f"{v['pointer'] or '/'} ({v['keyword']})" for v in where[:3]),
            )
            raise ReplyInvalid(
                f"the provider's reply does not match {route.address} {route.version}; it was not passed on",
                errors=where,
            )
        if route.capture:
            record.response_payload = self.services.cipher.seal(answer, route.document.sensitive)
        body = reply.data if grant.fields is None else orjson.dumps(project(answer, grant.fields))
        record.outcome, record.http_status, record.completed_at = Outcome.OK, 200, utcnow()
        record.response_size, record.response_sha256 = len(body), hashlib.sha256(body).hexdigest()
        return body

    async def _complete_later(
        self, record: ExchangeRecord, route: Route, grant: GrantRule, envelope: Envelope
    ) -> None:
        try:
            body = await self._forward(record, route, grant, envelope)
            await self.save_result(record.id, body)
            await self.services.writer.close(record)
        except LgspError as error:
            await self.fail(record, error, opened=True)

    async def drain(self) -> None:
        """Let asynchronous calls in flight finish (on shutdown)."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


# an HTTP backend's own status and problem (connectors/http/backend.py) are passed on too
_PASSED_ON = ("type", "title", "status", "detail", "backend_status", "backend_problem")


def _provider_problem(data: bytes) -> dict[str, object]:
    """The connector's own problem (type, status, detail), passed on so a consumer can tell failures apart."""
    try:
        problem = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {"detail": data[:200].decode(errors="replace") or "no detail"}
    if not isinstance(problem, dict):
        return {"detail": "no detail"}
    kept = {key: problem[key] for key in _PASSED_ON if key in problem}
    if isinstance(kept.get("detail"), str):
        kept["detail"] = kept["detail"][:500]
    return kept

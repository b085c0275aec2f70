"""Shares (DESIGN.md §5 flow 3): a batch of records checked against the dataset contract, logged and put on the
dataset's topic; the warehouse's acknowledgement later marks the share delivered."""

import asyncio
import logging

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from bus import Subscription, Unconsumed
from contracts.addresses import SHARE_ACK_TOPIC
from contracts.document import Kind
from contracts.envelope import SHARE_RECORDS, Envelope, envelope_document, envelope_from_document
from contracts.errors import LgspError, PayloadTooLarge
from gateway.exchange.authenticity import ACK, MALFORMED, MessageAuthenticity
from gateway.exchange.errors import RecordsInvalid, RequestInvalid
from gateway.exchange.fields import outside
from gateway.exchange.flow import ExchangeFlow, ExchangeServices, Inbound, Outbound
from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.rollups import Delivery
from gateway.exchangelog.stores import OutboxEntry, outbox
from gateway.exchangelog.writer import INT32_MAX, LogUnavailable
from registry.storage import utcnow

log = logging.getLogger("lgsp.exchange")
MAX_RECORDS = 10_000
MAX_REPORTED = 100


class ShareIntake(ExchangeFlow):
    kind = Kind.DATASET
    record_kind = ExchangeKind.SHARE

    def __init__(
        self,
        services: ExchangeServices,
        *,
        outbox: AsyncEngine | None = None,
        authenticity: MessageAuthenticity | None = None,
    ) -> None:
        """`outbox`: the platform database, to keep each accepted share until it is acknowledged, and publish
        again after a restart what was not (for the in-process bus, whose queues a crash loses);
        `authenticity`: believe only acknowledgements it accepts (the warehouse's signature)."""
        super().__init__(services)
        self._acks: Subscription | None = None
        self._outbox = outbox
        self._authenticity = authenticity
        self._stopping = False

    async def share(self, inbound: Inbound) -> Outbound:
        record, traceparent = self.begin(inbound)
        opened = False
        try:
            route, grant, body, payload = await self.admit(inbound, record)
            records = payload.get("records") if isinstance(payload, dict) else None
            if not isinstance(records, list):
                raise RequestInvalid(
                    'the body must be {"records": [...]}',
                    errors=[{"pointer": "/records", "message": "missing"}],
                )
            if len(records) > MAX_RECORDS:
                raise PayloadTooLarge(f"{len(records)} records in one batch; send at most {MAX_RECORDS}")
            failures = []
            for index, item in enumerate(records):
                for violation in route.contract.validate("record", item, limit=5):
                    failures.append(
                        {
                            "index": index,
                            "pointer": f"/records/{index}{violation.pointer}",
                            "message": violation.message,
                        }
                    )
            if grant.fields is not None:  # the grant names the only fields this client may publish
                for index, item in enumerate(records):
                    for pointer in outside(item, grant.fields, f"/records/{index}"):
                        failures.append(
                            {"index": index, "pointer": pointer, "message": "not an allowed field"}
                        )
            if failures:
                bad = len({failure["index"] for failure in failures})
                raise RecordsInvalid(
                    f"{bad} of {len(records)} records do not match {route.address} {route.version}; "
                    "the batch was refused whole",
                    errors=failures[:MAX_REPORTED],
                )
            record.record_count = len(records)
            if route.capture:
                record.request_payload = self.services.cipher.seal(
                    payload, [f"/records/*{p}" for p in route.document.sensitive]
                )
            await self.services.writer.open(record)
            opened = True
            envelope = self.envelope(record, route, SHARE_RECORDS, body, traceparent=traceparent)
            record.sent_at = utcnow()
            await self.services.bus.publish(route.topic, envelope)
            answer = orjson.dumps({"exchange_id": record.id, "records": len(records), "status": "accepted"})
            record.outcome, record.http_status, record.completed_at = Outcome.OK, 202, utcnow()
            record.response_size = len(answer)
            kept = None
            if self._outbox:
                document = orjson.dumps(envelope_document(envelope)).decode()
                kept = OutboxEntry(record.id, route.topic, document, record.completed_at)
            await self.services.writer.close(record, outbox=kept)
            location = f"/api/v1/exchanges/{record.id}"
            return Outbound(202, answer, self.headers(record) | {"Location": location})
        except LgspError as error:
            return await self.fail(record, error, opened)

    async def start(self) -> None:
        """Listen for the warehouse's acknowledgements (one gateway instance handles each)."""
        self._stopping = False
        await self.services.bus.ensure_topics([SHARE_ACK_TOPIC])
        self._acks = await self.services.bus.subscribe(
            [SHARE_ACK_TOPIC], "lgsp.gateway.share-acks", self._on_ack
        )
        if self._outbox is not None:
            await self.drain_outbox(self._outbox)

    async def drain_outbox(self, engine: AsyncEngine) -> int:
        """Publish again every accepted share not yet acknowledged (the warehouse ignores one it already has)."""
        waiting = await outbox(engine)
        for entry in waiting:
            try:
                envelope = envelope_from_document(orjson.loads(entry.envelope))
                await self.services.bus.publish(entry.topic, envelope)
            except LgspError as error:
                log.warning("share %s left in the outbox: %s", entry.exchange_id, error.detail)
                break
        if waiting:
            log.info("published %d share(s) again from the outbox", len(waiting))
        return len(waiting)

    async def stop(self) -> None:
        self._stopping = True
        if self._acks is not None:
            await self._acks.stop()

    async def _on_ack(self, envelope: Envelope) -> None:
        # checked before anything touches the log: a forged acknowledgement must not mark a share delivered
        if self._authenticity is not None:
            refusal = self._authenticity.ack_refusal(envelope)
            if refusal is not None:
                self._authenticity.refuse(ACK, refusal, envelope)
                return
        delivery = self._delivery(envelope)
        if delivery is None:
            if self._authenticity is not None:
                self._authenticity.rejected[(ACK, MALFORMED)] += 1
            return
        await self._record(delivery)

    async def _record(self, delivery: Delivery) -> None:
        """Record the delivery; while the log is away, wait for it (the bus commits the acknowledgement once its
        handler returns, and nothing acknowledges the share again); stopping, leave it to a redelivery."""
        delay = 0.1
        while True:
            try:
                await self.services.writer.deliver(delivery)
                return
            except LogUnavailable as error:
                if self._stopping:
                    raise Unconsumed(
                        f"share acknowledgement {delivery.exchange_id} not recorded: {error.detail}"
                    ) from None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            except LgspError as error:  # this one refused alone
                log.warning("share acknowledgement %s not recorded: %s", delivery.exchange_id, error.detail)
                return

    def _delivery(self, envelope: Envelope) -> Delivery | None:
        """The acknowledgement as a delivery, or None (logged) when it cannot be one."""
        try:
            ack = orjson.loads(envelope.data)
        except orjson.JSONDecodeError:
            ack = None
        records = ack.get("records", 0) if isinstance(ack, dict) else None
        warehouse = ack.get("warehouse", envelope.source) if isinstance(ack, dict) else None
        if (
            not isinstance(records, int)
            or isinstance(records, bool)
            or not 0 <= records <= INT32_MAX
            or not isinstance(warehouse, str)
            or not 0 < len(envelope.id) <= 36
        ):
            log.warning("share acknowledgement %s is malformed; ignored", envelope.id[:40])
            return None
        route = self.services.directory.route_by_subject(envelope.subject or "")
        return Delivery(
            exchange_id=envelope.id,
            database_id=route.database_id if route else None,
            delivered_at=utcnow(),
            records=records,
            warehouse=warehouse[:64],
        )

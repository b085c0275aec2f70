"""The warehouse sink (DESIGN.md §5 flow 3): consume the dataset topics, upsert by key, acknowledge.

One consumer group (`group`) reads the share topics of every published dataset, so several sink instances
share the work. New datasets are learnt from registry events (and a periodic look at the catalogue) and the
sink's member is replaced by one that also reads their topics. A batch is applied only when the gateway
signed it; a batch applied before (a redelivery) changes nothing and is acknowledged again.

A batch is acknowledged, and its message consumed, only once it is stored. A store failure is retried with
back-off; after `store_attempts` failures the batch becomes a dead letter (kept whole, with the reason, in the
warehouse store: `lgsp warehouse redrive` puts it back on its topic). While not even the dead letter can be
written, the sink keeps trying and the message stays unconsumed: stopped then, the sink leaves it to the group
(`Unconsumed`), which gives it to the sink after a restart or to another instance.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import orjson
from joserfc.jwk import KeySet
from sqlalchemy.exc import SQLAlchemyError

from bus import Bus, BusUnavailable, Subscription, Unconsumed
from contracts.addresses import REGISTRY_TOPIC, SHARE_ACK_TOPIC, Address
from contracts.document import Kind
from contracts.envelope import REGISTRY_PREFIX, SHARE_ACK, SHARE_RECORDS, Envelope, utc_now
from contracts.errors import InvalidInput
from contracts.signing import MessageSigner, SignatureInvalid
from warehouse.batch import Batch, BatchInvalid, parse_batch
from warehouse.catalogue import Dataset, DatasetContracts
from warehouse.keys import CachedKeys, EnvelopeVerifier, KeySource
from warehouse.store import Applied, WarehouseStore

log = logging.getLogger("lgsp.warehouse")
_CONTRACT_EVENTS = REGISTRY_PREFIX + "contract."


@dataclass
class SinkStats:
    """Counters since start."""

    batches: int = 0
    duplicates: int = 0
    records: int = 0
    rejected: int = 0
    """Batches dropped unapplied: unsigned, forged, malformed or of an unknown dataset."""
    skipped_records: int = 0
    acks: int = 0
    store_failures: int = 0
    dead_letters: int = 0


class WarehouseSink:
    def __init__(
        self,
        bus: Bus,
        store: WarehouseStore,
        *,
        keys: KeySet | KeySource | EnvelopeVerifier,
        catalogue: DatasetContracts,
        name: str = "kho-dung-chung",
        group: str = "lgsp.warehouse",
        concurrency: int = 8,
        refresh_interval: float = 60.0,
        owns_store: bool = False,
        store_attempts: int = 5,
        retry_delay: float = 0.25,
        max_retry_delay: float = 10.0,
        signer: MessageSigner | None = None,
    ) -> None:
        """`signer`: the key of the warehouse's own client, registered in the registry, that signs every
        acknowledgement (a gateway on Kafka believes no other)."""
        self.bus = bus
        self.store = store
        self.name = name
        self.group = group
        self.stats = SinkStats()
        self.source = f"urn:lgsp:warehouse:{name}"
        self._keys = keys if isinstance(keys, EnvelopeVerifier) else CachedKeys(keys)
        self._catalogue = catalogue
        self._concurrency = concurrency
        self._refresh_interval = refresh_interval
        self._owns_store = owns_store
        self._store_attempts = store_attempts
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._signer = signer
        self._stopping = False
        self._stopped = asyncio.Event()  # ends the pauses between retries at once
        self._datasets: dict[str, Dataset] = {}
        self._consuming: set[str] = set()
        self._batches: Subscription | None = None
        self._registry: Subscription | None = None
        self._refreshing = asyncio.Lock()
        self._refresh_wanted = asyncio.Event()
        self._refresher: asyncio.Task[None] | None = None

    @property
    def datasets(self) -> dict[str, Dataset]:
        """The datasets whose topics this sink reads now, by address."""
        return {address: self._datasets[address] for address in self._consuming}

    async def start(self) -> None:
        """Listen for registry events, read the catalogue, and consume the topics of its datasets."""
        await self.bus.ensure_topics([REGISTRY_TOPIC, SHARE_ACK_TOPIC])
        self._registry = await self.bus.subscribe(
            [REGISTRY_TOPIC],
            f"{self.group}.{self.bus.instance_id}.registry",
            self._on_registry_event,
            concurrency=1,
        )
        await self.refresh()
        self._refresher = asyncio.create_task(self._keep_fresh())
        log.info("warehouse %s consuming %d dataset(s)", self.name, len(self._datasets))

    async def stop(self) -> None:
        """Stop consuming; batches in flight finish (and their offsets are committed) first."""
        self._stopping = True
        self._stopped.set()
        if self._refresher is not None:
            self._refresher.cancel()
            await asyncio.gather(self._refresher, return_exceptions=True)
            self._refresher = None
        async with self._refreshing:
            for subscription in (self._registry, self._batches):
                if subscription is not None:
                    await subscription.stop()
            self._registry = self._batches = None
            self._consuming = set()
        if self._owns_store:
            await self.store.close()

    # datasets

    async def refresh(self) -> list[Address]:
        """Read the catalogue now and consume the topics of datasets not seen before; return those once their
        topics are consumed."""
        async with self._refreshing:
            for document in await self._catalogue():
                if document.kind is Kind.DATASET:
                    dataset = Dataset.of(document)
                    self._datasets[str(dataset.address)] = dataset  # a new minor version replaces the old
            new = [
                self._datasets[address].address for address in sorted(set(self._datasets) - self._consuming)
            ]
            if new:
                await self._consume()
                log.info("warehouse %s now consumes %s", self.name, ", ".join(map(str, new)))
            return new

    async def _consume(self) -> None:
        """Replace this instance's group member by one reading every known dataset topic."""
        addresses = set(self._datasets)
        topics = sorted(dataset.address.share_topic for dataset in self._datasets.values())
        await self.bus.ensure_topics(topics)
        if self._batches is not None:
            await self._batches.stop()
            self._batches = None
        self._batches = await self.bus.subscribe(
            topics, self.group, self._on_batch, concurrency=self._concurrency
        )
        await self._batches.ready()
        self._consuming = addresses

    async def _on_registry_event(self, envelope: Envelope) -> None:
        if envelope.type.startswith(_CONTRACT_EVENTS):
            self._refresh_wanted.set()

    async def _keep_fresh(self) -> None:
        """Refresh when a registry event asks for it, else every `refresh_interval` seconds."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._refresh_interval):
                    await self._refresh_wanted.wait()
            self._refresh_wanted.clear()
            try:
                await self.refresh()
            except Exception as exc:
                # The catalogue's source is down: try again at the next event or interval.
                log.warning("warehouse %s could not read the catalogue: %r", self.name, exc)

    # batches

    async def _on_batch(self, envelope: Envelope) -> None:
        if envelope.type != SHARE_RECORDS:
            return
        batch = await self._checked_batch(envelope)
        if batch is None:
            return
        applied = await self._apply(envelope, batch)
        if applied is None:
            return  # a dead letter now: nothing to acknowledge
        self.stats.batches += 1
        if applied.duplicate:
            self.stats.duplicates += 1
        else:
            self.stats.records += applied.records
            self.stats.skipped_records += batch.skipped
        await self._acknowledge(envelope, applied)

    async def _apply(self, envelope: Envelope, batch: Batch) -> Applied | None:
        """The batch stored, or None once it is a dead letter; raises `Unconsumed` when stopping with neither
        done, so the message is not committed and the group gives it to a sink again."""
        delay, attempts = self._retry_delay, 0
        while True:
            attempts += 1
            try:
                return await self.store.apply(batch)
            except (SQLAlchemyError, OSError) as exc:
                self.stats.store_failures += 1
                reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
                log.warning(
                    "warehouse %s: storing batch %s failed (attempt %d: %s)", self.name, batch.exchange_id,
                    attempts, reason,
                )  # fmt: skip
            if attempts >= self._store_attempts and await self._dead_letter(
                envelope, batch, reason, attempts
            ):
                return None
            if self._stopping:
                raise Unconsumed(f"batch {batch.exchange_id} neither stored nor dead-lettered")
            await self._pause(delay)
            delay = min(delay * 2, self._max_retry_delay)

    async def _dead_letter(self, envelope: Envelope, batch: Batch, reason: str, attempts: int) -> bool:
        try:
            await self.store.dead_letters.put(batch.address.share_topic, envelope, reason, attempts)
        except (SQLAlchemyError, OSError) as exc:
            log.warning(
                "warehouse %s: cannot keep batch %s as a dead letter either: %r", self.name, envelope.id, exc
            )
            return False
        self.stats.dead_letters += 1
        log.error(
            "warehouse %s: batch %s is a dead letter after %d attempts (%s); `lgsp warehouse redrive` retries it",
            self.name, envelope.id, attempts, reason,
        )  # fmt: skip
        return True

    async def _checked_batch(self, envelope: Envelope) -> Batch | None:
        """The batch the gateway signed, or None (logged) when it did not, or the batch is unusable."""
        try:
            await self._keys.verify(envelope)
            address = Address.parse(envelope.subject or "")
            dataset = self._datasets.get(str(address))
            if dataset is None:  # read only from known datasets' topics: the subject does not match its topic
                raise BatchInvalid(f"{address} is not a dataset this warehouse consumes")
            return parse_batch(
                envelope.id,
                address,
                envelope.data,
                key=dataset.key,
                version=dataset.version,
                time=envelope.time,
            )
        except (SignatureInvalid, InvalidInput) as exc:
            self.stats.rejected += 1
            log.warning("warehouse %s dropped share batch %s: %s", self.name, envelope.id, exc.detail)
            return None

    async def _acknowledge(self, envelope: Envelope, applied: Applied) -> None:
        ack = Envelope(
            id=envelope.id,
            source=self.source,
            type=SHARE_ACK,
            subject=envelope.subject,
            data=orjson.dumps({"records": applied.records, "warehouse": self.name}),
            time=utc_now(),
        )
        if self._signer is not None:
            ack = self._signer.sign(ack)
        # The batch's message is consumed once this returns, and only a redelivery would acknowledge it again:
        # keep trying through a broker outage, or the gateway never learns that an accepted share arrived;
        # stopped before it goes out, leave the message to a redelivery (a duplicate, acknowledged again).
        delay = self._retry_delay
        while True:
            try:
                await self.bus.publish(SHARE_ACK_TOPIC, ack)
                break
            except BusUnavailable as exc:
                log.warning(
                    "warehouse %s could not acknowledge batch %s yet: %s", self.name, envelope.id, exc.detail
                )
                if self._stopping:
                    raise Unconsumed(f"batch {envelope.id} stored but not acknowledged") from None
            await self._pause(delay)
            delay = min(delay * 2, self._max_retry_delay)
        self.stats.acks += 1

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopped.wait()

"""A gateway at run time: every long-lived part of it (database, keys, bus, log writer, exchange paths), started
and stopped in order."""

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bus import Bus, InProcessBus, create_bus
from gateway.bootstrap import ensure_admin, prepare_schema
from gateway.events import RegistryEventHub
from gateway.exchange.authenticity import REPLY, MessageAuthenticity
from gateway.exchange.calls import ServiceCalls
from gateway.exchange.directory import Directory
from gateway.exchange.flow import ExchangeServices
from gateway.exchange.ratelimit import RateLimiter
from gateway.exchange.shares import ShareIntake
from gateway.exchangelog.capture import PayloadCipher
from gateway.exchangelog.results import ResultStore
from gateway.exchangelog.writer import LogWriter
from gateway.instances import InstanceClaim, PeriodicRefresh
from gateway.oauth.keys import KeyRing
from gateway.oauth.throttle import FailureThrottle
from gateway.oauth.tokens import TokenService
from gateway.ratestore import RateStore
from gateway.settings import Settings
from registry.clients.secrets import configure_hashing
from registry.storage import create_engine, create_sessionmaker
from warehouse.store import WarehouseStore

log = logging.getLogger("lgsp.gateway")


@dataclass
class GatewayRuntime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    keyring: KeyRing
    tokens: TokenService
    cipher: PayloadCipher
    bus: Bus
    owns_bus: bool
    directory: Directory
    writer: LogWriter
    events: RegistryEventHub
    calls: ServiceCalls
    shares: ShareIntake
    claim: InstanceClaim
    registry_check: PeriodicRefresh
    rates: RateStore  # where grant rates and the security throttles count
    authenticity: MessageAuthenticity
    _warehouse_store: WarehouseStore | None = field(default=None, init=False)
    _warehouse_opening: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def warehouse_store(self) -> WarehouseStore:
        """The warehouse store (`LGSP_WAREHOUSE_URL`), opened on first use: for its dead letters."""
        async with self._warehouse_opening:
            if self._warehouse_store is None:
                self._warehouse_store = await WarehouseStore.open(self.settings.effective_warehouse_url)
            return self._warehouse_store

    @classmethod
    async def start(cls, settings: Settings, bus: Bus | None = None) -> "GatewayRuntime":
        """Start everything; a `bus` given by a composition root (in-process connectors) is used, not owned."""
        if settings.effective_database_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        configure_hashing(
            time_cost=settings.secret_hash_time_cost, memory_kib=settings.secret_hash_memory_kib
        )
        engine = create_engine(settings.effective_database_url)
        await prepare_schema(engine, demo=settings.demo)
        sessionmaker = create_sessionmaker(engine)
        claim = InstanceClaim(engine, settings.instance_id, heartbeat=settings.instance_heartbeat_seconds)
        try:
            await claim.claim()
        except BaseException:
            await engine.dispose()
            raise
        keyring = await KeyRing.load(
            sessionmaker, settings.token_ttl_seconds, settings.issuer,
            handover_seconds=settings.registry_refresh_seconds,
        )  # fmt: skip
        tokens = TokenService(
            keyring,
            issuer=settings.issuer,
            audience=settings.audience,
            ttl_seconds=settings.token_ttl_seconds,
        )
        await ensure_admin(sessionmaker, settings)
        cipher = PayloadCipher.from_settings(
            settings.capture_key.get_secret_value() if settings.capture_key else None, settings.data_dir
        )
        owns_bus = bus is None
        if bus is None:
            bus = create_bus(
                settings.kafka_bootstrap,
                instance_id=settings.instance_id,
                idempotence=settings.kafka_idempotence,
                partitions=settings.kafka_partitions,
                replication_factor=settings.kafka_replication_factor,
                login=settings.kafka_login(),
            )
            await bus.start()
        directory = Directory(sessionmaker)
        await directory.refresh()
        required = settings.requires_signatures(in_process=isinstance(bus, InProcessBus))
        authenticity = MessageAuthenticity(
            directory, required=required, warehouse_client=settings.warehouse_client_id
        )
        bus.check_replies(
            authenticity.reply_refusal if required else None,
            lambda reason, reply: authenticity.refuse(REPLY, reason, reply),
        )
        if required and settings.warehouse_client_id is None:
            log.warning("LGSP_WAREHOUSE_CLIENT_ID is not set: no share acknowledgement will be believed")
        writer = LogWriter(
            engine,
            instance=settings.instance_id,
            batch_size=settings.log_batch_size,
            queue_size=settings.log_queue_size,
            write_timeout=settings.log_write_timeout_seconds,
        )
        await writer.start()
        rates = RateStore(settings.rate_limit_storage)
        await rates.start()
        services = ExchangeServices(
            directory=directory,
            bus=bus,
            writer=writer,
            tokens=tokens,
            keyring=keyring,
            cipher=cipher,
            instance=settings.instance_id,
            max_body_bytes=settings.max_body_bytes,
            limiter=RateLimiter(rates),
            anonymous=FailureThrottle(settings.anonymous_calls_per_source_per_minute, rates, "anonymous"),
        )
        calls = ServiceCalls(
            services,
            reply_timeout=settings.reply_timeout_seconds,
            save_result=ResultStore(sessionmaker, cipher).save,
        )
        # the in-process bus loses its queues with the process: keep accepted shares in the database too
        shares = ShareIntake(
            services, outbox=engine if isinstance(bus, InProcessBus) else None, authenticity=authenticity
        )
        await shares.start()
        events = RegistryEventHub(directory, bus, settings.instance_id)
        await events.start()

        async def refresh() -> None:  # a registry change or a key rotation whose event never came
            await directory.refresh()
            await keyring.refresh()

        registry_check = PeriodicRefresh(refresh, settings.registry_refresh_seconds)
        registry_check.start()
        return cls(
            settings, engine, sessionmaker, keyring, tokens, cipher, bus, owns_bus, directory, writer, events,
            calls, shares, claim, registry_check, rates, authenticity,
        )  # fmt: skip

    async def stop(self) -> None:
        await self.registry_check.stop()
        await self.calls.drain()
        await self.shares.stop()
        await self.events.stop()
        await self.writer.stop()
        await self.rates.close()
        if self._warehouse_store is not None:
            await self._warehouse_store.close()
        if self.owns_bus:
            await self.bus.stop()
        await self.claim.release()
        await self.engine.dispose()

"""The embedded platform `lgsp up` serves: the gateway and, unless the sink runs elsewhere
(`LGSP_WAREHOUSE_EMBEDDED`), the shared data warehouse sink in the same process, on the gateway's bus."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bus import Bus, InProcessBus
from connectors.http.backend import HttpBackends
from connectors.sdk import GatewayKeys
from contracts.document import ContractDocument, Kind
from contracts.keyring import MessageKeyring
from gateway.app import Extension, create_app
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings
from registry.backends.deps import backend_cipher, network_guard
from registry.backends.service import BackendService, Binding
from registry.catalogue.service import CatalogueService
from warehouse.catalogue import DatasetContracts
from warehouse.embedded import start_embedded_sink
from warehouse.keys import load_signer


def published_datasets(runtime: GatewayRuntime) -> DatasetContracts:
    """The dataset contracts of the gateway's own registry, as the sink's catalogue."""

    async def published() -> list[ContractDocument]:
        async with runtime.sessionmaker() as session:
            return [document for _, document in await CatalogueService(session).entries(Kind.DATASET)]

    return published


@asynccontextmanager
async def embedded_warehouse(app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
    """The warehouse sink beside the gateway (`app.state.warehouse`), verifying batches with its keys."""
    keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
    sink = await start_embedded_sink(
        runtime.bus,
        runtime.settings.effective_warehouse_url,
        keys,
        published_datasets(runtime),
        signer=load_signer(runtime.settings.message_key_file),  # acknowledgements on Kafka must be signed
    )
    app.state.warehouse = sink
    try:
        yield
    finally:
        app.state.warehouse = None
        await sink.stop()


def platform_extensions(settings: Settings) -> list[Extension]:
    """What runs beside the gateway in `lgsp up`'s process: the embedded warehouse, when on."""
    return [embedded_warehouse] if settings.runs_embedded_warehouse else []


def platform_app(settings: Settings, extensions: Sequence[Extension] = ()) -> FastAPI:
    """The app `lgsp up` serves: the HTTP connector for the services bound to backends, the platform's
    extensions, then `extensions` (`--demo`: the demo province)."""
    return create_app(settings, extensions=[http_backends, *platform_extensions(settings), *extensions])


@asynccontextmanager
async def http_backends(app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
    """The built-in HTTP connector beside the gateway on the embedded default (`app.state.http_backends`): it
    serves every service bound to a backend; on Kafka it runs apart (`lgsp connector run --http`)."""
    if not isinstance(runtime.bus, InProcessBus):
        yield
        return
    keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)  # its own: no HTTP to itself
    connector = backends_connector(runtime.bus, runtime.sessionmaker, runtime.settings, keys)
    async with connector:
        app.state.http_backends = connector
        try:
            yield
        finally:
            app.state.http_backends = None


def backends_connector(
    bus: Bus,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    keys: GatewayKeys,
    signer: MessageKeyring | None = None,
    events_group: str | None = None,
    seen_path: Path | None = None,
) -> HttpBackends:
    """The HTTP connector serving the bindings of the registry in `sessionmaker`'s database, believing requests
    signed by `keys` (the gateway's envelope keys); `seen_path`: as `ConnectorRunner`'s."""
    cipher, guard = backend_cipher(settings), network_guard(settings)

    async def load() -> list[Binding]:
        async with sessionmaker() as session:
            return await BackendService(session, cipher, guard).bindings()

    return HttpBackends(
        bus,
        load,
        guard.check,
        keys=keys,
        source=f"lgsp://{settings.instance_id}/http-backends",
        freshness=settings.request_freshness_seconds,
        seen_path=seen_path,
        refresh=settings.registry_refresh_seconds,
        signer=signer,
        events_group=events_group,
        max_answer_bytes=settings.max_body_bytes,
    )

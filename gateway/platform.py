"""The embedded platform `lgsp up` serves: the gateway and, unless the sink runs elsewhere
(`LGSP_WAREHOUSE_EMBEDDED`), the shared data warehouse sink in the same process, on the gateway's bus."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from connectors.sdk import GatewayKeys
from contracts.document import ContractDocument, Kind
from gateway.app import Extension, create_app
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings
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
    """The app `lgsp up` serves: the platform's extensions, then `extensions` (`--demo`: the demo province)."""
    return create_app(settings, extensions=[*platform_extensions(settings), *extensions])

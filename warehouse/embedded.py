"""The embedded default (`lgsp up`): the sink in the gateway's process, on its in-process bus."""

from joserfc.jwk import KeySet

from bus import Bus
from contracts.signing import MessageSigner
from warehouse.catalogue import DatasetContracts
from warehouse.keys import EnvelopeVerifier, KeySource
from warehouse.sink import WarehouseSink
from warehouse.store import WarehouseStore


async def start_embedded_sink(
    bus: Bus,
    warehouse_url: str,
    keys: KeySet | KeySource | EnvelopeVerifier,
    catalogue: DatasetContracts,
    *,
    name: str = "kho-dung-chung",
    signer: MessageSigner | None = None,
) -> WarehouseSink:
    """A started sink on `bus` with its own store at `warehouse_url`; `await sink.stop()` closes both."""
    store = await WarehouseStore.open(warehouse_url)
    sink = WarehouseSink(
        bus, store, keys=keys, catalogue=catalogue, name=name, owns_store=True, signer=signer
    )
    try:
        await sink.start()
    except BaseException:
        await sink.stop()
        raise
    return sink

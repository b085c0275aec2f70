"""The shared data warehouse (Kho CSDL dùng chung): a sink from the dataset topics into the warehouse store."""

from warehouse.catalogue import Dataset, DatasetContracts, GatewayCatalogue
from warehouse.embedded import start_embedded_sink
from warehouse.keys import CachedKeys, EnvelopeVerifier, KeySource, gateway_jwks
from warehouse.sink import SinkStats, WarehouseSink
from warehouse.store import Applied, DatasetSummary, WarehouseStore

__all__ = [
    "Applied",
    "CachedKeys",
    "Dataset",
    "DatasetContracts",
    "DatasetSummary",
    "EnvelopeVerifier",
    "GatewayCatalogue",
    "KeySource",
    "SinkStats",
    "WarehouseSink",
    "WarehouseStore",
    "gateway_jwks",
    "start_embedded_sink",
]

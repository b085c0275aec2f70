"""`Connector`: what a department writes, the services it answers and the datasets it shares.

```python
connector = Connector(agency="H50.20", database="csdl-dat-dai")

@connector.service("tra-cuu-thua-dat", major=1)
async def tra_cuu(request: dict, context: RequestContext) -> dict: ...

@connector.dataset("thua-dat", major=1, every=timedelta(minutes=5))
async def thua_dat(since: datetime | None) -> list[dict]: ...
```

A `ConnectorRunner` serves it: it subscribes the services to the bus and runs the dataset schedules.
"""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from connectors.sdk.datasets import Sharer, ShareReport
from connectors.sdk.documents import ContractSource, check_fits, load_documents
from connectors.sdk.handlers import ServiceHandler
from contracts.addresses import Address
from contracts.document import ContractDocument, Kind
from contracts.errors import LgspError
from contracts.validation import CompiledContract, compile_contract

F = TypeVar("F", bound=Callable[..., Any])
Producer = Callable[[datetime | None], Awaitable[Iterable[Any]] | Iterable[Any]]


class NotSharing(LgspError):
    name, status, title = "not-sharing", 503, "The connector cannot share"


@dataclass(frozen=True, slots=True)
class ServiceRegistration:
    address: Address
    handler: ServiceHandler


@dataclass(frozen=True, slots=True)
class DatasetRegistration:
    address: Address
    producer: Producer
    every: timedelta


class Connector:
    def __init__(
        self,
        agency: str,
        database: str,
        *,
        contracts: Iterable[ContractSource] = (),
        validate_requests: bool = True,
    ) -> None:
        """`contracts`: documents or YAML/JSON files; those missing are fetched from the gateway at start."""
        Address(agency, database, 0)  # refuses a malformed agency or database code now
        self.agency = agency
        self.database = database
        self.validate_requests = validate_requests
        self.services: dict[Address, ServiceRegistration] = {}
        self.datasets: dict[Address, DatasetRegistration] = {}
        self._documents = {(doc.kind, doc.address): doc for doc in load_documents(contracts)}
        self._compiled: dict[Address, CompiledContract] = {}
        self._sharer: Sharer | None = None

    def __repr__(self) -> str:
        return f"Connector({self.agency}/{self.database})"

    @property
    def source(self) -> str:
        """`ce_source` of this connector's replies."""
        return f"urn:lgsp:connector:{self.agency}:{self.database}"

    def service(self, code: str, major: int = 1) -> Callable[[F], F]:
        """Register the decorated function as the handler of service `code`, major version `major`."""
        address = Address(self.agency, code, major)

        def register(function: F) -> F:
            if address in self.services:
                raise ValueError(f"service {address} already has a handler")
            self.services[address] = ServiceRegistration(address, ServiceHandler(function))
            return function

        return register

    def dataset(self, code: str, major: int = 1, *, every: timedelta | float) -> Callable[[F], F]:
        """Register a producer of the records of dataset `code` changed since its last run.

        The runner calls it every `every` (a timedelta or seconds) with the time the last successful run began;
        with `since=None` (share everything) only for a dataset never shared or `--share-now`. One process of
        the agency runs it at a time (connectors/sdk/leases.py).
        """
        address = Address(self.agency, code, major)
        interval = every if isinstance(every, timedelta) else timedelta(seconds=every)
        if interval <= timedelta(0):
            raise ValueError("every must be positive")

        def register(function: F) -> F:
            if address in self.datasets:
                raise ValueError(f"dataset {address} already has a producer")
            self.datasets[address] = DatasetRegistration(address, function, interval)
            return function

        return register

    # contracts

    def document(self, kind: Kind, address: Address) -> ContractDocument | None:
        return self._documents.get((kind, address))

    def add_document(self, document: ContractDocument) -> None:
        self._documents[(document.kind, document.address)] = document
        self._compiled.pop(document.address, None)

    def contract(self, address: Address) -> CompiledContract:
        """The compiled contract of a service (compiled once); raises `ContractMismatch` when it is not its own."""
        compiled = self._compiled.get(address)
        if compiled is None:
            document = self._documents.get((Kind.SERVICE, address))
            if document is None:
                raise KeyError(f"no contract for service {address}")
            check_fits(document, Kind.SERVICE, address, self.database)
            compiled = self._compiled[address] = compile_contract(document)
        return compiled

    # sharing

    def attach(self, sharer: Sharer | None) -> None:
        """Called by the runner: the way this connector's records reach the gateway."""
        self._sharer = sharer

    async def share(self, code: str, major: int, records: Iterable[Any]) -> ShareReport:
        """Publish records of dataset `code` (major `major`) to the warehouse now, in batches."""
        if self._sharer is None:
            raise NotSharing(
                f"{self!r} cannot share: run it with ConnectorRunner(..., gateway=GatewayClient(url, "
                "client_id, client_secret))"
            )
        return await self._sharer.share(Address(self.agency, code, major), records)

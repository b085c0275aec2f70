"""Where the sink learns the published datasets: any async callable returning their contract documents.

`GatewayCatalogue` reads them from a gateway's API (`GET /api/v1/catalogue?kind=dataset`, then each
dataset's contract once per version); an in-process composition root can pass a function over its registry.
"""

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from connectors.sdk.client import GatewayClient
from contracts.addresses import Address
from contracts.document import ContractDocument, Kind

DatasetContracts = Callable[[], Awaitable[Iterable[ContractDocument]]]


@dataclass(frozen=True, slots=True)
class Dataset:
    address: Address
    key: tuple[str, ...]
    version: str

    @classmethod
    def of(cls, document: ContractDocument) -> "Dataset":
        major = int(document.version.split(".", 1)[0])
        return cls(Address(document.provider, document.code, major), tuple(document.key), document.version)


class GatewayCatalogue:
    def __init__(self, client: GatewayClient) -> None:
        self._client = client
        self._documents: dict[tuple[str, str], ContractDocument] = {}

    async def __call__(self) -> list[ContractDocument]:
        documents = []
        for entry in await self._client.get("/api/v1/catalogue", kind=Kind.DATASET.value):
            address, version = entry["address"], entry["version"]
            document = self._documents.get((address, version))
            if document is None:
                parsed = Address.parse(address)
                contract = await self._client.get(f"/api/v1/datasets/{parsed.agency}/{parsed.code}/{version}")
                document = ContractDocument.model_validate(contract["document"])
                self._documents[(address, version)] = document
            documents.append(document)
        return documents

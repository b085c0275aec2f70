"""Contract documents for a connector: given as objects or files, or fetched from the gateway's registry."""

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.addresses import Address
from contracts.document import ContractDocument, Kind
from contracts.errors import LgspError
from contracts.loading import load_contract

if TYPE_CHECKING:
    from connectors.sdk.client import GatewayClient

ContractSource = ContractDocument | str | Path


class ContractUnavailable(LgspError):
    """A service the connector answers has no contract it can validate against."""

    name, status, title = "contract-unavailable", 503, "Contract unavailable"


class ContractMismatch(LgspError):
    """A contract that is not the one of the service or dataset it was given for."""

    name, status, title = "contract-mismatch", 422, "Contract does not match"


def load_documents(sources: Iterable[ContractSource]) -> list[ContractDocument]:
    """Documents from objects or YAML/JSON files (checked as the registry checks them)."""
    documents = []
    for source in sources:
        if isinstance(source, ContractDocument):
            documents.append(source)
        else:
            documents.append(load_contract(Path(source).read_bytes()))
    return documents


def check_fits(document: ContractDocument, kind: Kind, address: Address, database: str) -> None:
    if document.kind is not kind or document.address != address or document.database != database:
        raise ContractMismatch(
            f"the contract {document.address} {document.version} ({document.kind}, database "
            f"{document.database}) is not the one of {kind} {address} over database {database}"
        )


async def fetch_document(gateway: "GatewayClient", kind: Kind, address: Address) -> ContractDocument:
    """The newest version of the major at `address`, from `GET /api/v1/{services|datasets}/...`."""
    from connectors.sdk.client import ApiProblem

    collection = "services" if kind is Kind.SERVICE else "datasets"
    path = f"/api/v1/{collection}/{address.agency}/{address.code}/v{address.major}"
    try:
        public = await gateway.send("GET", path, authenticated=False)
    except ApiProblem as exc:
        raise ContractUnavailable(
            f"cannot fetch the contract of {address} from the gateway: {exc.one_line()}"
        ) from None
    return ContractDocument.model_validate(public["document"])

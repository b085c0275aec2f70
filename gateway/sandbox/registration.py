"""What the sandbox registers for a department, through the gateway's own API as its admin: the agencies
(with their parents), databases and contracts, capture on, a consumer client granted every service, and for
each connector sharing datasets a client of its agency granted them."""

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import orjson

from connectors.sdk import ApiProblem, Connector, GatewayClient
from contracts.addresses import parent_agency_code
from contracts.document import ContractDocument, Kind

CONSUMER_ID = "sandbox-consumer"
PURPOSE = "kiểm thử trong sandbox"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str


def _lineage(code: str) -> list[str]:
    """`H50.20.3` → [`H50`, `H50.20`, `H50.20.3`]."""
    chain = [code]
    while (parent := parent_agency_code(chain[0])) is not None:
        chain.insert(0, parent)
    return chain


async def _create(admin: GatewayClient, path: str, body: Mapping[str, object]) -> None:
    try:
        await admin.send("POST", path, json=body)
    except ApiProblem as exc:
        if exc.status != 409:  # already there (the operator agency, a shared parent)
            raise


async def register_department(admin: GatewayClient, documents: Sequence[ContractDocument]) -> None:
    agencies = sorted({code for d in documents for code in _lineage(d.provider)}, key=lambda c: c.count("."))
    for code in agencies:
        tier = "department" if "." in code else "province"
        await _create(admin, "/api/v1/agencies", {"code": code, "name": f"Cơ quan {code}", "tier": tier})
    for agency, database in sorted({(d.provider, d.database) for d in documents}):
        body = {"agency": agency, "code": database, "name": database, "status": "active"}
        await _create(admin, "/api/v1/databases", body)
    for document in sorted(documents, key=lambda d: (str(d.address), d.version_key)):
        content = orjson.dumps(document.model_dump(mode="json", exclude_none=True))
        await admin.send(
            "POST", "/api/v1/contracts", content=content, headers={"Content-Type": "application/json"}
        )
        if document.kind is Kind.SERVICE:
            path = f"/api/v1/services/{document.address}"
            await admin.send("PATCH", path, json={"capture_payloads": True})


async def _client(admin: GatewayClient, agency: str, client_id: str, addresses: Iterable[str]) -> Credentials:
    created = await admin.send(
        "POST", "/api/v1/clients", json={"agency": agency, "client_id": client_id, "name": client_id}
    )
    for address in sorted(set(addresses)):
        grant = {"client_id": client_id, "address": address, "purpose": PURPOSE}
        await admin.send("POST", "/api/v1/grants", json=grant)
    return Credentials(client_id, created["client_secret"])


async def consumer_client(
    admin: GatewayClient, agency: str, documents: Sequence[ContractDocument]
) -> Credentials:
    services = [str(d.address) for d in documents if d.kind is Kind.SERVICE]
    return await _client(admin, agency, CONSUMER_ID, services)


async def connector_client(admin: GatewayClient, connector: Connector) -> Credentials | None:
    """A client of the connector's agency granted its datasets, or None when it shares none."""
    if not connector.datasets:
        return None
    client_id = f"sandbox-connector-{secrets.token_hex(4)}"
    return await _client(admin, connector.agency, client_id, (str(a) for a in connector.datasets))

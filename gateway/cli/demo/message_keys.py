"""Signing keys for the demo's bus messages, so a demo on Kafka requires authentic replies and acknowledgements.

The sample connectors answer for every agency that provides a demo service, and a reply is believed only when a
client of the provider agency signed it. So each provider agency gets a signing client (`tra-loi-<agency>`) with
a registered key, and the connectors' process holds all of those keys in one keyring. The warehouse gets its own
client and key for acknowledgements. Only public keys enter the registry; the private ones are written, readable
by their owner alone, into the directory given to `lgsp seed demo --message-keys`.

The signing clients never call the platform: their secrets are not kept or shown (`lgsp client rotate-secret`
gives one). Re-running keeps the keys already in the directory and registers any the registry misses.
"""

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.document import Kind
from contracts.keyring import MessageKeyring, load_keyring
from contracts.signing import MessageSigner, generate_message_key, public_jwk
from registry.auth import Principal
from registry.clients.models import ClientRole
from registry.clients.repository import ClientKeyRepository, ClientRepository
from registry.clients.schemas import ClientCreate, ClientKeyCreate
from registry.clients.service import ClientService
from registry.contracts.service import ContractService
from registry.events import EventSink
from warehouse.keys import load_signer

CONNECTOR_KEYS, WAREHOUSE_KEY = "connectors.jwks", "warehouse.jwk"
WAREHOUSE_CLIENT = "kho-du-lieu-dung-chung"
WAREHOUSE_AGENCY = "H50.13"  # the provincial data centre's department, as the connectors' client


@dataclass(frozen=True)
class DemoMessageKeys:
    connectors: Path
    warehouse: Path
    agencies: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"message keys: {self.connectors} ({len(self.agencies)} provider agencies) for the connectors, "
            f"{self.warehouse} for the warehouse (set LGSP_WAREHOUSE_CLIENT_ID={WAREHOUSE_CLIENT} on gateways)"
        )


def signing_client_id(agency: str) -> str:
    return "tra-loi-" + agency.lower().replace(".", "-")


async def ensure_demo_message_keys(
    session: AsyncSession, events: EventSink, principal: Principal, directory: Path
) -> DemoMessageKeys:
    connectors_path, warehouse_path = directory / CONNECTOR_KEYS, directory / WAREHOUSE_KEY
    held, warehouse = await asyncio.to_thread(_read_keys, connectors_path, warehouse_path)
    clients = ClientService(session, events)
    agencies = sorted({e.agency_code for e, _ in await ContractService(session).listing(kind=Kind.SERVICE)})
    by_agency = dict(held.by_agency) if held is not None else {}
    for agency in agencies:
        signer = by_agency.get(agency) or MessageSigner.from_jwk(_new_private_jwk())
        by_agency[agency] = signer
        name = f"Ký trả lời dịch vụ của cơ quan {agency} (demo)"
        await _register(clients, principal, signing_client_id(agency), agency, name, signer)
    await asyncio.to_thread(
        _write_private, connectors_path, MessageKeyring(by_agency=by_agency).to_document()
    )
    if warehouse is None:
        warehouse = MessageSigner.from_jwk(_new_private_jwk())
        warehouse_jwk = dict(warehouse.key.as_dict(private=True)) | {"kid": warehouse.kid}
        await asyncio.to_thread(_write_private, warehouse_path, warehouse_jwk)
    name = "Kho cơ sở dữ liệu dùng chung của tỉnh (ký xác nhận chia sẻ)"
    await _register(clients, principal, WAREHOUSE_CLIENT, WAREHOUSE_AGENCY, name, warehouse)
    return DemoMessageKeys(connectors_path, warehouse_path, tuple(agencies))


def _read_keys(connectors: Path, warehouse: Path) -> tuple[MessageKeyring | None, MessageSigner | None]:
    connectors.parent.mkdir(parents=True, exist_ok=True)
    return (
        load_keyring(connectors) if connectors.exists() else None,
        load_signer(warehouse) if warehouse.exists() else None,
    )


def _new_private_jwk() -> dict[str, object]:
    key = generate_message_key()
    return dict(key.as_dict(private=True)) | {"kid": key.kid}


async def _register(
    clients: ClientService,
    principal: Principal,
    client_id: str,
    agency: str,
    name: str,
    signer: MessageSigner,
) -> None:
    if await ClientRepository(clients.session).get(client_id) is None:
        request = ClientCreate(client_id=client_id, agency=agency, name=name, role=ClientRole.CONSUMER)
        await clients.create(request, principal)  # its secret is dropped: this client signs, it never calls
    if await ClientKeyRepository(clients.session).get(signer.kid) is None:
        await clients.register_key(client_id, ClientKeyCreate(jwk=public_jwk(signer.key)), principal)


def _write_private(path: Path, document: Mapping[str, object]) -> None:
    """Write private keys readable by their owner only, replacing the file in one step."""
    partial = path.with_suffix(path.suffix + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    os.replace(partial, path)

"""The registry's read model for the exchange path: everything a gateway keeps in memory to route, admit and
authenticate exchanges (its `Directory`), read in one go. The gateway reads registry tables only through it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from registry.clients.models import Client, ClientKey
from registry.contracts.models import ContractVersion, Endpoint
from registry.contracts.repository import ContractVersionRepository
from registry.databases.models import Database, DatabaseStatus
from registry.grants.models import Grant
from registry.repository import Repository
from registry.succession.models import AddressAlias


@dataclass(frozen=True, slots=True)
class FormerAddress:
    """An address an endpoint had before its agency changed: answered, deprecated, until `sunset_at`."""

    address: str
    successor: str
    deprecated_at: datetime
    sunset_at: datetime


@dataclass(frozen=True)
class Snapshot:
    routes: list[tuple[Endpoint, ContractVersion]]
    grants: Sequence[tuple[Grant, str]]
    clients: Sequence[Client]
    keys: Sequence[ClientKey] = ()
    former: Sequence[FormerAddress] = ()


class SnapshotRepository(Repository[Endpoint]):
    model = Endpoint

    async def snapshot(self) -> Snapshot:
        """Everything the exchange path needs: each live endpoint's newest usable version, grants, clients."""
        endpoints = (
            await self.session.exec(
                select(Endpoint)
                .join(Database, col(Endpoint.database_id) == col(Database.id))
                .where(Database.status != DatabaseStatus.RETIRED)
            )
        ).all()
        latest = await ContractVersionRepository(self.session).latest_by_endpoint(
            [e.id for e in endpoints if e.id is not None]
        )
        routes = [(endpoint, latest[endpoint.id]) for endpoint in endpoints if endpoint.id in latest]
        addresses = {endpoint.id: endpoint.address for endpoint in endpoints}
        grants = [
            (grant, addresses[grant.endpoint_id])
            for grant in (await self.session.exec(select(Grant).where(col(Grant.revoked_at).is_(None)))).all()
            if grant.endpoint_id in addresses
        ]
        clients = (await self.session.exec(select(Client))).all()
        keys = (await self.session.exec(select(ClientKey).where(col(ClientKey.withdrawn_at).is_(None)))).all()
        former = [
            FormerAddress(alias.address, addresses[alias.endpoint_id], alias.deprecated_at, alias.sunset_at)
            for alias in (await self.session.exec(select(AddressAlias))).all()
            if alias.endpoint_id in addresses and alias.address not in addresses.values()
        ]
        return Snapshot(routes=routes, grants=grants, clients=clients, keys=keys, former=former)

"""`ConnectorRunner`: serves connectors on a bus: their services as consumer groups, their dataset schedules."""

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from joserfc.jwk import KeySet

from bus import Bus, Subscription
from connectors.sdk.client import GatewayClient
from connectors.sdk.connector import Connector
from connectors.sdk.datasets import BATCH_SIZE, DatasetSchedule, Sharer
from connectors.sdk.documents import ContractUnavailable, fetch_document
from connectors.sdk.keys import GatewayKeys
from connectors.sdk.responder import FRESHNESS, RecentIds, ServiceResponder
from connectors.sdk.sharing import DatasetSharing
from contracts.addresses import Address
from contracts.document import Kind
from contracts.keyring import MessageKeyring
from contracts.signing import MessageSigner

log = logging.getLogger("lgsp.connector")


@dataclass(frozen=True, slots=True)
class ServedService:
    address: Address
    version: str
    handler: str

    @property
    def topic(self) -> str:
        return self.address.service_topic

    @property
    def group(self) -> str:
        return self.address.consumer_group


async def fetch_missing_contracts(connectors: Iterable[Connector], gateway: GatewayClient | None) -> None:
    """Give each service that has no contract its newest one from the gateway's registry."""
    for connector in connectors:
        for address in connector.services:
            if connector.document(Kind.SERVICE, address) is not None:
                continue
            if gateway is None:
                raise ContractUnavailable(
                    f"no contract for {address}: give it to Connector(contracts=[...]) or run with a "
                    "gateway client to fetch it from the registry"
                )
            connector.add_document(await fetch_document(gateway, Kind.SERVICE, address))


class ConnectorRunner:
    def __init__(
        self,
        connectors: Connector | Iterable[Connector],
        bus: Bus,
        *,
        keys: GatewayKeys | KeySet,
        gateway: GatewayClient | None = None,
        concurrency: int = 16,
        batch_size: int = BATCH_SIZE,
        share_now: bool = False,
        freshness: float = FRESHNESS,
        seen_path: Path | None = None,
        signer: MessageSigner | MessageKeyring | None = None,
    ) -> None:
        """`concurrency`: handler calls at once per service; `gateway`: for contracts not given and sharing;
        `share_now`: run every dataset this process holds at once, not one interval after its last share;
        `freshness`: seconds a request's signed time may be from now; `seen_path`: a file remembering answered
        request ids, so that replays are refused across restarts too; `signer`: the key of a client of the
        provider agency, registered in the registry, that signs every reply (required by a gateway on Kafka),
        or a keyring of one such key per agency when this process answers for several.

        The runner does not own the bus, the keys or the gateway client: whoever made them closes them.
        """
        self.connectors = [connectors] if isinstance(connectors, Connector) else list(connectors)
        addresses = [a for c in self.connectors for a in (*c.services, *c.datasets)]
        if duplicates := sorted({str(a) for a in addresses if addresses.count(a) > 1}):
            raise ValueError(f"served by more than one connector: {', '.join(duplicates)}")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.bus = bus
        self.keys = keys if isinstance(keys, GatewayKeys) else GatewayKeys(key_set=keys)
        self.gateway = gateway
        self.concurrency = concurrency
        self.sharing = DatasetSharing(
            self.connectors, bus, gateway, batch_size=batch_size, share_now=share_now
        )
        self.services: list[ServedService] = []
        self.responders: list[ServiceResponder] = []
        self._subscriptions: list[Subscription] = []
        self._recent = RecentIds(path=seen_path, window=freshness)
        self._freshness = freshness
        self.signer = signer

    @property
    def sharer(self) -> Sharer | None:
        return self.sharing.sharer

    @property
    def schedules(self) -> list[DatasetSchedule]:
        return self.sharing.schedules

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Get the contracts and keys, subscribe every service and wait until it takes part in its group."""
        await self._fetch_missing_contracts()
        await self.keys.start()
        responders = [self._responder(c, address) for c in self.connectors for address in c.services]
        try:
            for responder in responders:
                address = responder.address
                subscription = await self.bus.subscribe(
                    [address.service_topic], address.consumer_group, responder, concurrency=self.concurrency
                )
                self._subscriptions.append(subscription)
            await asyncio.gather(*(subscription.ready() for subscription in self._subscriptions))
        except BaseException:
            await self.stop()
            raise
        await self.sharing.start()
        for served in self.services:
            log.info("serving %s (contract %s) with %s", served.address, served.version, served.handler)

    async def _fetch_missing_contracts(self) -> None:
        await fetch_missing_contracts(self.connectors, self.gateway)

    def _responder(self, connector: Connector, address: Address) -> ServiceResponder:
        contract = connector.contract(address)
        registration = connector.services[address]
        self.services.append(ServedService(address, contract.document.version, registration.handler.name))
        responder = ServiceResponder(
            address=address,
            contract=contract,
            handler=registration.handler,
            keys=self.keys,
            bus=self.bus,
            source=connector.source,
            validate_requests=connector.validate_requests,
            recent=self._recent,
            freshness=self._freshness,
            signer=self._signer_for(address),
        )
        self.responders.append(responder)
        return responder

    def _signer_for(self, address: Address) -> MessageSigner | None:
        if not isinstance(self.signer, MessageKeyring):
            return self.signer
        signer = self.signer.for_agency(address.agency)
        if signer is None:
            log.warning(
                "%s: the keyring has no key of agency %s; its replies go unsigned", address, address.agency
            )
        return signer

    async def stop(self) -> None:
        """Stop taking requests, let the handlers and share runs in flight finish (their replies go out)."""
        subscriptions, self._subscriptions = self._subscriptions, []
        await asyncio.gather(*(subscription.stop() for subscription in subscriptions), self.sharing.stop())
        self._recent.close()

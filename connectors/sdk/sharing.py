"""`DatasetSharing`: connectors' datasets shared on their schedules, one runner per dataset across an agency's
processes (connectors/sdk/leases.py). Used by `ConnectorRunner` (on Kafka) and `lgsp connector serve` (HTTP)."""

import asyncio
import logging
from collections.abc import Iterable

from bus import Bus
from connectors.sdk.client import GatewayClient
from connectors.sdk.connector import Connector
from connectors.sdk.datasets import BATCH_SIZE, DatasetSchedule, Sharer
from connectors.sdk.leases import ScheduleLeases

log = logging.getLogger("lgsp.connector")


class DatasetSharing:
    def __init__(
        self,
        connectors: Iterable[Connector],
        bus: Bus,
        gateway: GatewayClient | None,
        *,
        batch_size: int = BATCH_SIZE,
        share_now: bool = False,
    ) -> None:
        """`bus`: a started bus, whose consumer groups are the leases; `gateway`: the client that shares (none:
        nothing is shared); `share_now`: run every dataset this process holds at once, not one interval after
        its last share. Neither the bus nor the gateway client is owned here."""
        self.connectors = list(connectors)
        self.sharer = Sharer(gateway, batch_size=batch_size) if gateway is not None else None
        self.schedules: list[DatasetSchedule] = []
        self._leases = ScheduleLeases(bus)
        self._share_now = share_now
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Take part in the agencies' leases, attach the sharer to every connector and start the schedules."""
        self._stopping.clear()
        if self.sharer is not None:
            await self._leases.start(c.agency for c in self.connectors if c.datasets)
        for connector in self.connectors:
            connector.attach(self.sharer)
            if connector.datasets and self.sharer is None:
                log.warning("%r: no gateway client, so its datasets are not shared", connector)
                continue
            for registration in connector.datasets.values():
                assert self.sharer is not None
                schedule = DatasetSchedule(
                    registration, self.sharer, leases=self._leases, share_now=self._share_now
                )
                self.schedules.append(schedule)
                self._tasks.append(asyncio.create_task(schedule.run(self._stopping)))

    async def stop(self) -> None:
        """Let the share runs in flight finish, leave the leases and detach the sharer."""
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._leases.stop()
        for connector in self.connectors:
            connector.attach(None)

"""Instance ids are unique among live gateways: each gateway claims its id (the name of its log chain) at start
and keeps it with a heartbeat; a second gateway with an id whose heartbeat is fresh refuses to start.

Also the periodic registry check: every gateway rebuilds its directory at a fixed interval, so a change whose
registry event was lost still reaches it within that interval.
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.errors import LgspError
from gateway.exchangelog.models import INSTANCES
from registry.storage import utcnow

log = logging.getLogger("lgsp.gateway")


class InstanceInUse(LgspError):
    name, status, title = "instance-in-use", 409, "Instance id in use"


class InstanceClaim:
    def __init__(self, engine: AsyncEngine, instance: str, *, heartbeat: float = 5.0) -> None:
        self.engine = engine
        self.instance = instance
        self.heartbeat = heartbeat
        self.stale_after = timedelta(seconds=3 * heartbeat)
        self.token = secrets.token_hex(16)
        self._task: asyncio.Task[None] | None = None

    async def claim(self) -> None:
        """Take the id, or raise `InstanceInUse` while another gateway's heartbeat on it is fresh."""
        now = utcnow()
        values = {"instance": self.instance, "token": self.token, "started_at": now, "heartbeat_at": now}
        async with self.engine.begin() as connection:
            try:
                async with connection.begin_nested():
                    await connection.execute(insert(INSTANCES).values(values))
                taken = True
            except IntegrityError:
                taken = (
                    await connection.execute(
                        update(INSTANCES)
                        .where(
                            INSTANCES.c.instance == self.instance,
                            INSTANCES.c.heartbeat_at < now - self.stale_after,
                        )
                        .values(values)
                    )
                ).rowcount == 1
        if not taken:
            raise InstanceInUse(
                f"a gateway with instance id {self.instance!r} is running (its heartbeat is under "
                f"{self.stale_after.total_seconds():g}s old); give this one another LGSP_INSTANCE_ID"
            )
        self._task = asyncio.create_task(self._beat(), name="instance-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                async with self.engine.begin() as connection:
                    kept = (
                        await connection.execute(
                            update(INSTANCES)
                            .where(INSTANCES.c.instance == self.instance, INSTANCES.c.token == self.token)
                            .values(heartbeat_at=utcnow())
                        )
                    ).rowcount
                if not kept:
                    log.error("instance id %s was taken over by another gateway", self.instance)
            except Exception as exc:  # the database is away: the log writer reports it; beat again later
                log.warning("instance heartbeat failed: %r", exc)

    async def release(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        with contextlib.suppress(Exception):
            async with self.engine.begin() as connection:
                await connection.execute(
                    delete(INSTANCES).where(
                        INSTANCES.c.instance == self.instance, INSTANCES.c.token == self.token
                    )
                )


class PeriodicRefresh:
    """Call `refresh` every `interval` seconds (failures logged, tried again at the next tick)."""

    def __init__(self, refresh: Callable[[], Awaitable[None]], interval: float) -> None:
        self._refresh = refresh
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="registry-refresh")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._refresh()
            except Exception as exc:
                log.warning("periodic registry refresh failed: %r", exc)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

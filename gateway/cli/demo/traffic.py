"""Live demo traffic: the consumer applications call the province's services now and then, as citizens'
dossiers arrive, through the gateway's real HTTP interface; a few calls are wrong, as some always are."""

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from connectors.sdk.client import GatewayClient
from contracts.document import Kind
from gateway.exchange.directory import Directory

log = logging.getLogger("lgsp.demo")


@dataclass(frozen=True)
class Caller:
    client: GatewayClient
    addresses: tuple[str, ...]


class Traffic:
    def __init__(
        self, directory: Directory, callers: list[Caller], *, interval: float = 2.0, seed: int = 7
    ) -> None:
        self.directory = directory
        self.callers = [caller for caller in callers if caller.addresses]
        self.interval = interval
        self.rng = random.Random(seed)
        self.calls = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.callers:
            self._task = asyncio.create_task(self._run(), name="demo-traffic")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.rng.expovariate(1 / self.interval))
            try:
                await self.call_once()
            except Exception as exc:  # the demo goes on whatever one call does
                log.debug("demo call failed: %s", exc)

    async def call_once(self) -> int | None:
        caller = self.rng.choice(self.callers)
        address = self.rng.choice(caller.addresses)
        route = self.directory.route(address)
        if route is None or route.kind is not Kind.SERVICE or not route.document.examples:
            return None
        request = self.rng.choice(route.document.examples).request
        if self.rng.random() < 0.04:
            request = {"thong_tin": "thiếu trường bắt buộc"}  # a malformed dossier: refused with 422
        result = await caller.client.call(address, request, request_id=f"demo-{self.calls:06d}")
        self.calls += 1
        return result.status

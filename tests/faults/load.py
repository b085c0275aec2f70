"""Bounded load through the gateway's HTTP API, as consumers and a sharing department would send it, and the
ledger of what each request was answered (or that it was not answered at all)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx

from tests.faults.topology import DATASET_ADDRESS, Topology

RECORDS_PER_SHARE = 3
_serial = itertools.count(1)


@dataclass
class Sent:
    """One request: its status and exchange id if the client saw an answer, None if the connection broke."""

    kind: str  # "call" or "share"
    request_id: str
    keys: tuple[str, ...] = ()
    status: int | None = None
    exchange_id: str | None = None
    problem: str | None = None  # the problem's type, for an error answer

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass
class Ledger:
    sent: list[Sent] = field(default_factory=list)

    def of(self, kind: str) -> list[Sent]:
        return [item for item in self.sent if item.kind == kind]

    @property
    def answered(self) -> list[Sent]:
        return [item for item in self.sent if item.answered]

    def succeeded(self, kind: str, normal: int) -> int:
        """Requests of `kind` answered as they are when nothing fails (`normal`: the usual status)."""
        return sum(1 for item in self.sent if item.kind == kind and item.status == normal)

    @property
    def accepted_keys(self) -> set[str]:
        return {key for item in self.of("share") if item.status == 202 for key in item.keys}


async def _send(
    http: httpx.AsyncClient, ledger: Ledger, item: Sent, path: str, body: object, token: str
) -> None:
    ledger.sent.append(item)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": item.request_id}
    try:
        response = await http.post(path, json=body, headers=headers)
    except httpx.TransportError:
        return  # killed in flight, or nothing listening: the client saw no answer
    item.status = response.status_code
    item.exchange_id = response.headers.get("X-Exchange-ID")
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        problem = response.json()
        item.problem = problem.get("type")
        item.exchange_id = item.exchange_id or problem.get("exchange_id")


async def _caller(topology: Topology, http: httpx.AsyncClient, ledger: Ledger, stop: asyncio.Event) -> None:
    assert topology.consumer is not None
    path = f"/exchange/{topology.call_address}"
    while not stop.is_set():
        item = Sent("call", f"{topology.name}-call-{next(_serial)}")
        await _send(http, ledger, item, path, topology.call_body, topology.consumer.token)
        await asyncio.sleep(0.02 if item.answered else 0.2)


async def share(topology: Topology, http: httpx.AsyncClient, ledger: Ledger) -> Sent:
    """One share of the campaign's dataset, of new keys, in the ledger."""
    assert topology.sharer is not None
    serial = next(_serial)
    keys = tuple(f"{topology.name}-{serial:06d}-{i}" for i in range(RECORDS_PER_SHARE))
    body = {"records": [{"ma_ban_ghi": key, "lan_gui": serial} for key in keys]}
    item = Sent("share", f"{topology.name}-share-{serial}", keys)
    topology.sent_keys.update(keys)
    await _send(http, ledger, item, f"/share/{DATASET_ADDRESS}", body, topology.sharer.token)
    return item


async def _sharer(topology: Topology, http: httpx.AsyncClient, ledger: Ledger, stop: asyncio.Event) -> None:
    while not stop.is_set():
        item = await share(topology, http, ledger)
        await asyncio.sleep(0.02 if item.answered else 0.2)


@contextlib.asynccontextmanager
async def bounded_load(
    topology: Topology, ledger: Ledger, *, callers: int = 3, sharers: int = 3
) -> AsyncIterator[None]:
    """Calls and shares from a few concurrent clients while the block runs; they stop when it ends."""
    stop = asyncio.Event()
    timeout = httpx.Timeout(20.0, connect=2.0)
    limits = httpx.Limits(max_connections=callers + sharers)
    async with httpx.AsyncClient(base_url=topology.url, timeout=timeout, limits=limits) as http:
        workers = [asyncio.create_task(_caller(topology, http, ledger, stop)) for _ in range(callers)]
        workers += [asyncio.create_task(_sharer(topology, http, ledger, stop)) for _ in range(sharers)]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*workers)


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f}s: {what}")
        await asyncio.sleep(0.05)


async def fault_under_load(
    topology: Topology,
    ledger: Ledger,
    fault: Callable[[], None],
    recover: Callable[[], None] | None = None,
    *,
    down: float = 0.5,
    before: int = 4,
    while_down: int = 0,
    after: int = 4,
) -> None:
    """Load, then `fault` (a SIGKILL or a stop) once `before` calls and shares each were answered as usual;
    `recover` after `down` seconds (and once `while_down` of each were answered as usual while faulted: a
    fault the platform must ride through), then load until `after` more of each were: it works again."""
    normal = {"call": topology.call_status, "share": 202}

    def progress(since: dict[str, int], wanted: int) -> Callable[[], bool]:
        return lambda: all(ledger.succeeded(k, s) >= since[k] + wanted for k, s in normal.items())

    async with bounded_load(topology, ledger):
        start = {kind: ledger.succeeded(kind, status) for kind, status in normal.items()}
        await until(progress(start, before), 60, f"{before} calls and shares answered as usual")
        await asyncio.to_thread(fault)
        await asyncio.sleep(down)
        if while_down:
            faulted = {kind: ledger.succeeded(kind, status) for kind, status in normal.items()}
            await until(progress(faulted, while_down), 60, f"{while_down} answered as usual during the fault")
        if recover is not None:
            await asyncio.to_thread(recover)
        resumed = {kind: ledger.succeeded(kind, status) for kind, status in normal.items()}
        await until(
            progress(resumed, after), 90, f"{after} calls and shares answered as usual after recovery"
        )

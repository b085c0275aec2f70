"""Sharing records to the warehouse over the gateway's `POST /share/...`, now or on a schedule."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

import orjson

from connectors.sdk.client import ApiProblem, GatewayClient
from connectors.sdk.handlers import to_json
from contracts.addresses import Address

if TYPE_CHECKING:
    from connectors.sdk.connector import DatasetRegistration
    from connectors.sdk.leases import ScheduleLeases

log = logging.getLogger("lgsp.connector")
BATCH_SIZE = 500
LEASE_CHECK_SECONDS = 1.0  # how soon a schedule notices that its lease moved


@dataclass(slots=True)
class ShareReport:
    """What the gateway accepted: one share exchange per batch."""

    records: int = 0
    exchange_ids: list[str] = field(default_factory=list)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Sharer:
    def __init__(self, gateway: GatewayClient, *, batch_size: int = BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.gateway = gateway
        self.batch_size = batch_size

    async def share(self, address: Address, records: Iterable[Any]) -> ShareReport:
        """Send `records` (dicts or pydantic models) in batches; raise `ApiProblem` when one is refused.

        Batches before a refused one stay shared (`first_record` in the problem says how many); the
        problem's `errors` give each failing record's index among all `records` and its pointer.
        """
        report = ShareReport()
        for batch in batched(records, self.batch_size):
            # through JSON once, so pydantic models and datetimes go out as the gateway will read them
            plain = orjson.loads(to_json(batch))
            result = await self.gateway.share(str(address), plain)
            if result.status != 202:
                body = result.body if isinstance(result.body, dict) else {"detail": str(result.body)}
                raise ApiProblem(result.status, _counted_from(body, report.records))
            report.records += len(plain)
            report.exchange_ids.append(str(result.body["exchange_id"]))
        return report

    async def last_shared(self, address: Address) -> datetime | None:
        """When the gateway last accepted a share of `address` (from the exchange log); None if never."""
        page = await self.gateway.get(
            "/api/v1/exchanges", address=str(address), kind="share", outcome="ok", limit=1
        )
        items = page.get("items") if isinstance(page, dict) else None
        if not items:
            return None
        return datetime.fromisoformat(str(items[0]["received_at"]))


def _counted_from(problem: dict[str, Any], offset: int) -> dict[str, Any]:
    """The gateway's problem about one batch, its record indexes made indexes into all the records shared."""
    if not offset or not isinstance(problem.get("errors"), list):
        return problem
    errors = []
    for error in problem["errors"]:
        if isinstance(error, dict) and isinstance(error.get("index"), int):
            index = error["index"] + offset
            pointer = str(error.get("pointer", ""))
            prefix = f"/records/{error['index']}"
            if pointer.startswith(prefix):
                pointer = f"/records/{index}{pointer[len(prefix) :]}"
            error = {**error, "index": index, "pointer": pointer}
        errors.append(error)
    return {**problem, "errors": errors, "first_record": offset}


class DatasetSchedule:
    """Calls a dataset's producer every interval and shares what it returns, while this process holds the
    dataset's lease (`connectors/sdk/leases.py`: one runner per dataset across an agency's processes).

    Taking the lease (at start, or from a process that left), the first run is due one interval after the
    dataset's last share the gateway logged, and asks the producer for what changed since one interval before
    that share: a process that starts or takes over does not share everything again. `share_now` runs at once;
    a dataset never shared runs at once. `since` is then when the last successful run here began.
    """

    def __init__(
        self,
        registration: DatasetRegistration,
        sharer: Sharer,
        *,
        leases: ScheduleLeases | None = None,
        share_now: bool = False,
    ) -> None:
        self.registration = registration
        self.sharer = sharer
        self.leases = leases
        self.share_now = share_now
        self.since: datetime | None = None
        self.runs = 0

    async def run_once(self) -> ShareReport:
        began = datetime.now(UTC)
        produced = self.registration.producer(self.since)
        records = await produced if inspect.isawaitable(produced) else produced
        report = await self.sharer.share(self.registration.address, records)
        self.since = began
        self.runs += 1
        return report

    def _holds_lease(self) -> bool:
        return self.leases is None or self.leases.holds(self.registration.address)

    async def _first_due(self) -> datetime:
        """When the first run after taking the lease is due (and `since` for it)."""
        now = datetime.now(UTC)
        if self.share_now:
            self.share_now = False
            return now
        try:
            last = await self.sharer.last_shared(self.registration.address)
        except Exception as exc:  # the gateway unreachable: sharing again is harmless (upsert by key)
            log.warning(
                "dataset %s: cannot read its last share (%r); running now", self.registration.address, exc
            )
            return now
        if last is None:
            return now
        self.since = last - self.registration.every
        return last + self.registration.every

    async def run(self, stopping: asyncio.Event) -> None:
        """Run when due and then every interval, while holding the lease, until `stopping` is set; a run in
        progress is let finish."""
        address = self.registration.address
        due: datetime | None = None  # None while another process holds the lease
        while not stopping.is_set():
            if not self._holds_lease():
                if due is not None:
                    log.info("dataset %s: its schedule moved to another connectors process", address)
                due = None
                await _wait(stopping, LEASE_CHECK_SECONDS)
                continue
            if due is None:
                due = await self._first_due()
            waiting = (due - datetime.now(UTC)).total_seconds()
            if waiting > 0:
                await _wait(stopping, min(waiting, LEASE_CHECK_SECONDS))
                continue
            began = datetime.now(UTC)
            try:
                report = await self.run_once()
            except ApiProblem as exc:
                log.warning("dataset %s: the gateway refused a batch: %s", address, exc.one_line())
            except Exception:
                log.exception("dataset %s: the run failed; retrying at the next interval", address)
            else:
                if report.records:
                    log.info("dataset %s: shared %d record(s)", address, report.records)
            due = began + self.registration.every


async def _wait(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)

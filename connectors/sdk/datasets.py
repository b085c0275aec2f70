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

log = logging.getLogger("lgsp.connector")
BATCH_SIZE = 500


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
    """Calls a dataset's producer every interval and shares what it returns.

    `since` is when the last successful run began, kept in memory only: after a restart the first run
    shares everything again, which the warehouse's upsert by key makes harmless.
    """

    def __init__(self, registration: DatasetRegistration, sharer: Sharer) -> None:
        self.registration = registration
        self.sharer = sharer
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

    async def run(self, stopping: asyncio.Event) -> None:
        """Run now and then every interval until `stopping` is set; a run in progress is let finish."""
        address = self.registration.address
        interval = self.registration.every.total_seconds()
        while not stopping.is_set():
            try:
                report = await self.run_once()
            except ApiProblem as exc:
                log.warning("dataset %s: the gateway refused a batch: %s", address, exc.one_line())
            except Exception:
                log.exception("dataset %s: the run failed; retrying at the next interval", address)
            else:
                if report.records:
                    log.info("dataset %s: shared %d record(s)", address, report.records)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=interval)

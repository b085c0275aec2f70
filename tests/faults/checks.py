"""What must hold after each fault, read from the platform's own databases once it has settled:

- every exchange the client saw answered is in the exchange log with its true outcome (the status it answered);
- every share answered 202 is delivered exactly once in effect: acknowledged in the log, applied once by the
  warehouse, and the warehouse's rows are exactly the distinct keys it holds of those sent;
- no record stays `pending`;
- the log's hash chains are intact.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from gateway.exchangelog.verify import verify_log
from tests.faults.load import RECORDS_PER_SHARE, Ledger, Sent
from tests.faults.topology import DATASET_ADDRESS, DATASET_TABLE, Topology

# The outcome the log must hold for each status a client can be answered (gateway/exchangelog/models.py)
OUTCOMES = {200: {"ok"}, 202: {"ok"}, 502: {"provider_error"}, 504: {"timeout"}, 429: {"rejected"}}
LOG_UNAVAILABLE = "urn:lgsp:error:log-unavailable"


def expected_outcomes(item: Sent) -> set[str]:
    assert item.status is not None
    if item.status == 503:
        # the bus (or the log) refused at once; a record the log could not close then is closed afterwards as
        # `abandoned`, which is what happened to it
        return {"unavailable", "abandoned"} if item.problem == LOG_UNAVAILABLE else {"unavailable"}
    if item.status in OUTCOMES:
        return OUTCOMES[item.status]
    return {"rejected"} if item.status in (401, 403) else {"client_error"}


@asynccontextmanager
async def engine(url: str) -> AsyncIterator[AsyncEngine]:
    database = create_async_engine(url, poolclass=NullPool)
    try:
        yield database
    finally:
        await database.dispose()


@dataclass
class Snapshot:
    pending: int
    delivered: set[str]  # share exchange ids acknowledged in the log
    stored: dict[str, str]  # warehouse key -> the exchange that wrote it
    applied: dict[str, int]  # warehouse batches applied: exchange id -> records


async def snapshot(topology: Topology, shares: list[str]) -> Snapshot:
    async with engine(topology.effective_database_url) as log, log.connect() as connection:
        pending = await connection.scalar(text("SELECT count(*) FROM exchange WHERE outcome = 'pending'"))
        delivered = set((await connection.execute(text("SELECT exchange_id FROM share_delivery"))).scalars())
    async with engine(topology.warehouse_url) as warehouse, warehouse.connect() as connection:
        tables = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        stored: dict[str, str] = {}
        if DATASET_TABLE in tables:
            rows = await connection.execute(text(f"SELECT ma_ban_ghi, exchange_id FROM {DATASET_TABLE}"))
            stored = {str(key): str(exchange) for key, exchange in rows}
        batches = await connection.execute(
            text("SELECT exchange_id, records FROM warehouse_batch WHERE address = :address"),
            {"address": DATASET_ADDRESS},
        )
        applied = {exchange: int(records) for exchange, records in batches}
    return Snapshot(int(pending or 0), delivered & set(shares), stored, applied)


async def settle(topology: Topology, ledger: Ledger, within: float = 60.0) -> Snapshot:
    """Wait until nothing is pending and every accepted share is delivered (or the timeout: then the checks
    below say what is missing)."""
    accepted = [item.exchange_id for item in ledger.of("share") if item.status == 202 and item.exchange_id]
    keys = ledger.accepted_keys
    deadline = time.monotonic() + within
    while True:
        try:
            state = await snapshot(topology, accepted)
        except Exception:  # a database still starting
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
            continue
        if (
            state.pending == 0 and set(accepted) <= state.delivered and keys <= set(state.stored)
        ) or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.3)


@dataclass
class Findings:
    exchanges: int
    shares: int
    lost: int


async def check_after_fault(topology: Topology, ledger: Ledger) -> Findings:
    state = await settle(topology, ledger)
    answered = ledger.answered
    without_id = [item for item in answered if not item.exchange_id]
    assert not without_id, f"answers without an exchange id: {[(i.kind, i.status) for i in without_id][:10]}"

    ids = [item.exchange_id for item in answered]
    async with engine(topology.effective_database_url) as log:
        async with log.connect() as connection:
            logged: dict[str, tuple[str, int | None]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(f":i{n}" for n in range(len(chunk)))
                rows = await connection.execute(
                    text(f"SELECT id, outcome, http_status FROM exchange WHERE id IN ({marks})"),
                    {f"i{n}": value for n, value in enumerate(chunk)},
                )
                logged.update({row.id: (row.outcome, row.http_status) for row in rows})
        report = await verify_log(log)

    missing = [(i.kind, i.status, i.exchange_id) for i in answered if i.exchange_id not in logged]
    untrue = [
        (item.kind, item.status, item.problem, logged[item.exchange_id])
        for item in answered
        if item.exchange_id in logged
        and (
            logged[item.exchange_id][0] not in expected_outcomes(item)
            or (logged[item.exchange_id][0] != "abandoned" and logged[item.exchange_id][1] != item.status)
        )
    ]
    accepted = [item for item in ledger.of("share") if item.status == 202]
    undelivered = [item.exchange_id for item in accepted if item.exchange_id not in state.delivered]
    keys, stored = ledger.accepted_keys, set(state.stored)
    not_stored = sorted(keys - stored)
    foreign = sorted(stored - topology.sent_keys)  # rows no share ever carried
    applied_wrong = [
        (item.exchange_id, state.applied.get(item.exchange_id or ""))
        for item in accepted
        if state.applied.get(item.exchange_id or "") != RECORDS_PER_SHARE
    ]

    assert state.pending == 0, f"{state.pending} record(s) still pending"
    assert not missing, f"{len(missing)} answered exchange(s) not in the log: {missing[:10]}"
    assert not untrue, f"{len(untrue)} exchange(s) logged with another outcome than answered: {untrue[:10]}"
    assert not undelivered, f"{len(undelivered)} accepted share(s) never acknowledged: {undelivered[:10]}"
    assert not not_stored, f"{len(not_stored)} accepted key(s) missing from the warehouse: {not_stored[:10]}"
    assert not foreign, f"warehouse rows never sent: {foreign[:10]}"
    assert not applied_wrong, f"accepted shares not applied once with their records: {applied_wrong[:10]}"
    assert report.intact, f"the log's chains are broken: {report.breaks[:3]}"
    return Findings(exchanges=len(answered), shares=len(accepted), lost=0)

"""The at-scale topology under load: the rate through two gateways next to one, and the stall when a connectors
process is SIGKILLed or stopped (SIGTERM) while calls run, as a distribution over several kills.

Starts the topology as processes (tests/faults/topology.py: PostgreSQL, Apache Kafka, two gateways, two sample
connectors processes, the warehouse sink; signed replies required). The rate is the sample land-parcel lookup
loaded by `wrk`, first through one gateway, then split over both. The stall of one kill is the longest call of
those that were waiting or started in the 10 s after it, less the median call before it.

Run from the repository root: `python -m benchmarks.failover [--kills 5] [--duration 10]`. Needs `wrk`.
"""

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from benchmarks.exchange import read_wrk, run_wrk
from tests.faults.topology import LAND_ADDRESS, LAND_REQUEST, Postgres, Topology
from tests.kafka.broker import start_kafka
from tests.services import start_postgres

BODY = json.dumps(LAND_REQUEST).encode()


def rates(topology: Topology, connections: int, seconds: int) -> tuple[float, float]:
    """Exchanges/s through the first gateway alone, then through both at once (half the connections each)."""
    assert topology.consumer is not None
    token = topology.consumer.token
    one = read_wrk(run_wrk(f"{topology.url}/exchange/{LAND_ADDRESS}", connections, seconds, token, BODY)
                   .communicate()[0])  # fmt: skip
    both = [
        run_wrk(f"{topology.url_of(name)}/exchange/{LAND_ADDRESS}", connections // 2, seconds, token, BODY)
        for name in ("gateway", "gateway2")
    ]
    figures = [read_wrk(process.communicate()[0]) for process in both]
    if one.errors or any(f.errors for f in figures):
        print(f"  (non-2xx answers: {one.errors} through one, {sum(f.errors for f in figures)} through two)")
    return one.rate, sum(f.rate for f in figures)


async def stall(topology: Topology, fault: Callable[[], None], callers: int = 8) -> tuple[float, int]:
    """(the stall in seconds, calls not answered 200) around one `fault`."""
    assert topology.consumer is not None
    headers = {"Authorization": f"Bearer {topology.consumer.token}"}
    calls: list[tuple[float, float, int]] = []  # (start, seconds, status)
    stop = asyncio.Event()

    async def caller(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while not stop.is_set():
                began = time.monotonic()
                response = await http.post(f"/exchange/{LAND_ADDRESS}", json=LAND_REQUEST, headers=headers)
                calls.append((began, time.monotonic() - began, response.status_code))

    urls = [topology.url_of(name) for name in ("gateway", "gateway2")]
    workers = [asyncio.create_task(caller(urls[n % 2])) for n in range(callers)]
    await asyncio.sleep(3)
    faulted = time.monotonic()
    await asyncio.to_thread(fault)
    await asyncio.sleep(10)
    stop.set()
    await asyncio.gather(*workers)
    before = [seconds for began, seconds, _ in calls if began + seconds < faulted]
    around = [seconds for began, seconds, _ in calls if began + seconds >= faulted and began < faulted + 10]
    failed = sum(1 for _, _, status in calls if status != 200)
    return max(around) - statistics.median(before), failed


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"min {ordered[0]:.2f} s, median {statistics.median(ordered):.2f} s, max {ordered[-1]:.2f} s "
        f"over {len(ordered)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs, and as many SIGTERMs")
    parser.add_argument("--duration", type=int, default=10, help="seconds per rate measurement")
    parser.add_argument("--connections", type=int, default=32, help="calls in flight for the rate")
    options = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="lgsp-failover-"))
    server = start_postgres()
    broker = start_kafka(use_external=False, quick_start=False)
    postgres = Postgres(server)
    topology = Topology(
        "failover", directory, database_url=postgres.create_database(), kafka=broker, postgres=postgres,
        gateways=2, connector_processes=2, settings={"LGSP_REPLY_TIMEOUT_SECONDS": "10"},
    )  # fmt: skip
    try:
        topology.start()
        time.sleep(20)  # the sample datasets' first shares
        one, two = rates(topology, options.connections, options.duration)
        print(f"rate, {options.connections} in flight: one gateway {one:,.0f}/s, two gateways {two:,.0f}/s")
        member = topology.processes["connectors2"]
        for name, fault in (("SIGKILL", member.kill), ("SIGTERM", member.stop)):
            stalls, failed = [], 0
            for _ in range(options.kills):
                seconds, not_ok = asyncio.run(stall(topology, fault))
                stalls.append(seconds)
                failed += not_ok
                member.start(timeout=120)
                time.sleep(5)  # the group settles with both members again
            print(
                f"stall after a connectors process {name}: {summary(stalls)}; calls not answered 200: {failed}"
            )
    finally:
        topology.stop()
        broker.stop()
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()

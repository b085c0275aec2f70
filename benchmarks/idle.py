"""Idle cost: the CPU each process of the at-scale topology uses when no one calls or shares.

Starts docker-compose's topology as processes (tests/faults/topology.py: PostgreSQL, Apache Kafka, the gateway,
the sample connectors, the warehouse sink) with the platform's default settings, lets it settle, then reads each
process's CPU time from /proc over a quiet interval. Aim (issue 15): under 5 % of a core per platform process.

Run from the repository root: `python -m benchmarks.idle [--settle 30] [--measure 30]`.
"""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from tests.faults.topology import Postgres, Topology
from tests.kafka.broker import start_kafka
from tests.services import start_postgres

TICKS = os.sysconf("SC_CLK_TCK")
# tests/faults/topology.py shortens these so faults settle quickly; an idle platform runs on the defaults
TEST_ONLY = ("LGSP_INSTANCE_HEARTBEAT_SECONDS", "LGSP_PUBLIC_CACHE_SECONDS", "LGSP_REPLY_TIMEOUT_SECONDS")


class DefaultTopology(Topology):
    def env(self, **extra: str) -> dict[str, str]:
        return {k: v for k, v in super().env(**extra).items() if k not in TEST_ONLY}


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and its reaped children, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=30.0, help="seconds after start before measuring")
    parser.add_argument("--measure", type=float, default=30.0, help="seconds measured")
    options = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="lgsp-idle-"))
    server = start_postgres()
    broker = start_kafka(use_external=False, quick_start=False)
    postgres = Postgres(server)
    topology = DefaultTopology(
        "idle", directory, database_url=postgres.create_database(), kafka=broker, postgres=postgres
    )
    try:
        topology.start()
        time.sleep(options.settle)
        pids = {name: process.popen.pid for name, process in topology.processes.items() if process.popen}
        pids |= {f"kafka node {n.node_id}": n.process.pid for n in broker.nodes if n.process}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        began = time.monotonic()
        time.sleep(options.measure)
        elapsed = time.monotonic() - began
        print(f"idle for {elapsed:.0f} s after {options.settle:.0f} s to settle (% of one core):")
        for name, pid in pids.items():
            print(f"  {name:<14} {100 * (cpu_seconds(pid) - before[name]) / elapsed:5.1f} %")
    finally:
        topology.stop()
        broker.stop()
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Exchange throughput and latency: (a) a bare FastAPI JSON echo, (b) the full exchange path on the in-process
bus, (c) the same on Apache Kafka (a KRaft broker it starts, see tests/kafka/), (d) the same as (b) answered by
an HTTP backend on loopback (its own uvicorn process) through the built-in HTTP connector, each gateway served by
one uvicorn process and loaded by `wrk` beside it.

Run from the repository root: `python -m benchmarks.exchange [--duration 10] [--levels 1,10,50]`.
Needs `wrk` (Debian: apt-get install wrk). Prints requests/s and p50/p99 per level, and the ratios b/a, c/a.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.exchange_server import ADDRESS, REQUEST
from tests.kafka.broker import kafka_version, start_kafka
from tests.services import free_port, wait_for_port

LUA = """
wrk.method = "POST"
wrk.body = [[{body}]]
wrk.headers["Content-Type"] = "application/json"
{auth}
"""


@dataclass
class Figure:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def latency_distribution(output: str) -> dict[str, float]:
    """The rows under wrk's "Latency Distribution" heading only: "50%" also appears in its stdev column."""
    section = output.split("Latency Distribution", 1)[1]
    rows = re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", section, flags=re.MULTILINE)
    return {percent: _ms(value) for percent, value in rows}


def wrk(url: str, connections: int, seconds: int, token: str | None, body: bytes = REQUEST) -> Figure:
    return read_wrk(run_wrk(url, connections, seconds, token, body).communicate()[0])


def run_wrk(
    url: str, connections: int, seconds: int, token: str | None, body: bytes
) -> subprocess.Popen[str]:
    """`wrk` POSTing `body` to `url`, started: read its output with `read_wrk` once it ends."""
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(body=body.decode(), auth=auth))
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def read_wrk(output: str) -> Figure:
    try:
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        percentiles = latency_distribution(output)
        p50, p99 = percentiles["50"], percentiles["99"]
    except (AttributeError, ValueError, KeyError):
        raise RuntimeError(f"cannot read wrk's output:\n{output}") from None
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figure(rate, p50, p99, int(bad.group(1)) if bad else 0)


def serve(command: list[str], port: int, ready: Path | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port, timeout=60)
    deadline = time.monotonic() + 60
    while ready is not None and not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(
                process.stderr.read().decode() if process.stderr else "the server did not start"
            )
        time.sleep(0.1)
    return process


def measure(name: str, url: str, token: str | None, levels: list[int], seconds: int) -> dict[int, Figure]:
    wrk(url, 10, 2, token)  # warm-up
    figures = {}
    for level in levels:
        figures[level] = figure = wrk(url, level, seconds, token)
        print(f"{name:<34} {level:>4} in flight  {figure.rate:>8.0f}/s  p50 {figure.p50_ms:>6.2f} ms  "
              f"p99 {figure.p99_ms:>6.2f} ms  errors {figure.errors}", flush=True)  # fmt: skip
    return figures


def gateway(
    kafka: str | None, levels: list[int], seconds: int, name: str, backend: str | None = None
) -> dict[int, Figure]:
    port, data = free_port(), Path(tempfile.mkdtemp(prefix="lgsp-bench-"))
    command = [sys.executable, "-m", "benchmarks.exchange_server", "--port", str(port), "--data", str(data)]
    command += [*(["--kafka", kafka] if kafka else []), *(["--backend", backend] if backend else [])]
    process = serve(command, port, data / "ready")
    try:
        token = (data / "token").read_text()
        return measure(name, f"http://127.0.0.1:{port}/exchange/{ADDRESS}", token, levels, seconds)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per level")
    parser.add_argument("--levels", default="1,10,50", help="requests in flight, comma-separated")
    parser.add_argument("--no-kafka", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    levels = [int(level) for level in args.levels.split(",")]

    port = free_port()
    echo = serve([sys.executable, "-m", "uvicorn", "benchmarks.echo_app:app", "--port", str(port),
                  "--log-level", "warning", "--no-access-log"], port)  # fmt: skip
    try:
        bare = measure("(a) FastAPI JSON echo", f"http://127.0.0.1:{port}/echo", None, levels, args.duration)
    finally:
        echo.terminate()
        echo.wait()
    memory = gateway(None, levels, args.duration, "(b) exchange, in-process bus")
    backend_port = free_port()
    backend = serve([sys.executable, "-m", "uvicorn", "benchmarks.backend_app:app", "--port", str(backend_port),
                     "--log-level", "warning", "--no-access-log"], backend_port)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{backend_port}/ho-so"
        http = gateway(None, levels, args.duration, "(d) exchange, HTTP backend", backend=url)
    finally:
        backend.terminate()
        backend.wait()
    kafka_figures = None
    if not args.no_kafka:
        broker = start_kafka(use_external=False, quick_start=False)
        try:
            name = f"(c) exchange, Apache Kafka {kafka_version()}"
            kafka_figures = gateway(broker.bootstrap, levels, args.duration, name)
        finally:
            broker.stop()
    print()
    for level in levels:
        ratios = (
            f"b/a {memory[level].rate / bare[level].rate:.2f}  d/a {http[level].rate / bare[level].rate:.2f}"
        )
        if kafka_figures:
            ratios += f"  c/a {kafka_figures[level].rate / bare[level].rate:.2f}"
        print(f"{level:>4} in flight: {ratios}")


if __name__ == "__main__":
    main()

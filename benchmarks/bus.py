"""Request-reply round trips per second and latency on the in-process bus and on Kafka (an Apache Kafka broker it starts).

Both ends (gateway and an echo connector) run in this one process, as in the embedded default.
Run: python -m benchmarks.bus [--requests N] [--kafka-requests N] [--no-kafka]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

from joserfc.jwk import ECKey, KeySet

from bus import Bus, InProcessBus
from contracts.envelope import EXCHANGE_REQUEST, Envelope, from_kafka, make_reply, to_kafka_headers, utc_now
from contracts.signing import sign_envelope, verify_envelope

IN_FLIGHT = (1, 10, 50)
TOPIC = "lgsp.svc.h50_20.tra-cuu-thua-dat.v1"
BODY = b'{"parcel_id": "P-000123", "sheet": 12, "commune": "Dong Ha"}'


def envelope(replyto: str | None = None) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        source="urn:lgsp:gateway:bench",
        type=EXCHANGE_REQUEST,
        subject="H50.20/tra-cuu-thua-dat/v1",
        data=BODY,
        time=utc_now(),
        consumer="H50.1",
        replyto=replyto,  # set before signing, as the gateway does
    )


async def round_trips(gateway: Bus, in_flight: int, total: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    per_worker = total // in_flight

    async def worker() -> None:
        for _ in range(per_worker):
            started = time.perf_counter()
            await gateway.request(TOPIC, envelope(gateway.reply_topic), timeout=30)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return time.perf_counter() - began, latencies


def report(name: str, in_flight: int, elapsed: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<12} in flight {in_flight:>3}: {len(latencies) / elapsed:>9,.0f} round trips/s"
        f"   p50 {cuts[49] * 1e3:7.3f} ms   p99 {cuts[98] * 1e3:7.3f} ms   max {max(latencies) * 1e3:8.3f} ms"
        f"   ({len(latencies)} requests)"
    )


async def measure(name: str, gateway: Bus, connector: Bus, total: int) -> None:
    async def echo(request: Envelope) -> None:
        await connector.reply(request, make_reply(request, source="urn:bench:connector", data=request.data))

    await gateway.ensure_topics([TOPIC])
    subscription = await connector.subscribe([TOPIC], "lgsp.connector.bench", echo, concurrency=64)
    await subscription.ready()
    await round_trips(gateway, 10, min(total, 1000))  # warm up
    for in_flight in IN_FLIGHT:
        elapsed, latencies = await round_trips(gateway, in_flight, total)
        report(name, in_flight, elapsed, latencies)


async def in_process(total: int) -> None:
    bus = InProcessBus("bench")
    await bus.start()
    try:
        await measure("in-process", bus, bus, total)
    finally:
        await bus.stop()


async def kafka(total: int) -> None:
    from bus.kafka import KafkaBus
    from tests.kafka.broker import start_kafka

    broker = start_kafka(use_external=False, quick_start=False)
    gateway = KafkaBus(broker.bootstrap, f"gw-{uuid.uuid4().hex[:8]}", session_timeout_ms=2000)
    connector = KafkaBus(broker.bootstrap, f"cn-{uuid.uuid4().hex[:8]}", session_timeout_ms=2000)
    try:
        await gateway.start()
        await connector.start()
        await measure("kafka", gateway, connector, total)
    finally:
        await connector.stop()
        await gateway.stop()
        broker.stop()


def per_call(name: str, call: Callable[[], object], count: int) -> None:
    began = time.perf_counter()
    for _ in range(count):
        call()
    print(f"{name:<36} {(time.perf_counter() - began) / count * 1e6:8.1f} µs")


def envelope_costs() -> None:
    request = envelope()
    headers = to_kafka_headers(request)
    key = ECKey.generate_key("P-256", parameters={"kid": "gw-1"})
    jwks = KeySet.import_key_set({"keys": [key.as_dict(private=False)]})
    signed = sign_envelope(request, key, "gw-1")
    per_call("envelope → Kafka headers", lambda: to_kafka_headers(request), 100_000)
    per_call("Kafka headers → envelope", lambda: from_kafka(headers, BODY, request.key), 100_000)
    per_call("sign (ES256, detached JWS)", lambda: sign_envelope(request, key, "gw-1"), 2_000)
    per_call("verify (ES256, key set of 1)", lambda: verify_envelope(signed, jwks), 2_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000, help="round trips per level, in process")
    parser.add_argument("--kafka-requests", type=int, default=5_000, help="round trips per level, Kafka")
    parser.add_argument("--no-kafka", action="store_true")
    options = parser.parse_args()
    envelope_costs()
    run: list[Callable[[], Awaitable[None]]] = [lambda: in_process(options.requests)]
    if not options.no_kafka:
        run.append(lambda: kafka(options.kafka_requests))
    for bench in run:
        asyncio.run(bench())


if __name__ == "__main__":
    main()

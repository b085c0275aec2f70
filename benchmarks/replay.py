"""Replays per second against in-process targets: a connector over the in-process bus, and the gateway.

Each replay signs the request (connector target) or calls `POST /exchange/...` with a token (gateway target),
waits for the answer and compares it with the recording. Run from the repository root:
python -m benchmarks.replay
"""

import asyncio
import logging
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

from gateway.exchangelog.capture import mask
from gateway.replay import ConnectorTarget, GatewayTarget, NoiseRules, RecordedExchange, ReplayOptions, replay
from tests.harness import LAND_ADDRESS, gateway_settings, running_gateway
from tests.replay.conftest import land_province, serving
from tests.replay.connectors import PARCELS, original

SENSITIVE = ["/owner/citizen_id", "/owner/full_name"]


def recordings(total: int) -> list[RecordedExchange]:
    """`total` exchanges cycling over the known parcels, recorded as the gateway captures them."""
    keys = list(PARCELS)
    now = datetime.now(UTC)
    return [
        RecordedExchange(
            id=str(uuid.uuid4()),
            address=LAND_ADDRESS,
            contract_version="1.0.0",
            consumer="H50.1",
            outcome="ok",
            status=200,
            request={"commune_code": key[0], "map_sheet": key[1], "parcel_number": key[2]},
            response=mask(PARCELS[key], SENSITIVE),
            received_at=now,
        )
        for key in (keys[i % len(keys)] for i in range(total))
    ]


async def measure(name: str, target: ConnectorTarget | GatewayTarget, total: int, concurrency: int) -> None:
    exchanges = recordings(total)
    options = ReplayOptions(NoiseRules(timestamps=True, ids=True).compile(), concurrency=concurrency)
    async with target:
        await replay(exchanges[:50], target, options)  # warm up: compiled validators, tokens, connections
        started = time.perf_counter()
        report = await replay(exchanges, target, options)
        elapsed = time.perf_counter() - started
    assert report.passed, report.summary()
    print(
        f"{name:<42} {total} replays, {concurrency} in flight: {total / elapsed:,.0f} /s, "
        f"{elapsed / total * 1e6:,.0f} µs each"
    )


async def gateway(total: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        data = Path(directory)
        settings = gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data)
        async with running_gateway(settings, extensions=[serving(original)]) as harness:
            tester = await land_province(harness)

            def target() -> GatewayTarget:
                transport = httpx.ASGITransport(app=harness.app)
                return GatewayTarget("http://testserver", *tester, transport=transport)

            await measure("gateway (ASGI, SQLite log, in-process bus)", target(), total, concurrency)
            await plain_calls(target(), total, concurrency)


async def plain_calls(target: GatewayTarget, total: int, concurrency: int) -> None:
    """The same calls without replay (no selection, comparison or report): what the gateway itself allows."""
    request = recordings(1)[0].request
    slots = asyncio.Semaphore(concurrency)

    async def call() -> None:
        async with slots:
            assert (await target.client.call(LAND_ADDRESS, request)).status == 200

    async with target:
        started = time.perf_counter()
        await asyncio.gather(*(call() for _ in range(total)))
        elapsed = time.perf_counter() - started
    print(
        f"{'  the same calls without replay':<42} {total} calls, {concurrency} in flight: {total / elapsed:,.0f} /s"
    )


async def main() -> None:
    logging.getLogger("lgsp").setLevel(logging.ERROR)  # the throwaway gateway's capture-key notice
    for concurrency in (1, 50):
        await measure("connector (in-process bus, signed)", ConnectorTarget(original), 5000, concurrency)
    for concurrency in (1, 50):
        await gateway(2000, concurrency)


if __name__ == "__main__":
    asyncio.run(main())

"""How many signed requests per second a connector answers on the in-process bus (one core, both ends).

Each request is signed (ES256) and sent as the gateway sends it; the connector verifies the signature, checks
the request and the answer against the contract, and replies. Run from the repository root:
python -m benchmarks.connector_requests
"""

import asyncio
import time
import uuid
from dataclasses import replace

import orjson
from joserfc.jwk import ECKey, KeySet

from bus import InProcessBus
from connectors.sdk import Connector, ConnectorRunner, RequestContext
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, Envelope, utc_now
from contracts.signing import sign_envelope
from tests.connectors.parcels import ADDRESS, CONTRACT, PARCELS

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}


async def run(total: int = 5000, in_flight: int = 50) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "bench", "alg": "ES256"}, private=True)
    keys = KeySet.import_key_set({"keys": [key.as_dict(private=False)]})  # type: ignore[list-item]
    bus = InProcessBus("bench")
    await bus.start()
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[CONTRACT])

    @connector.service("tra-cuu-thua-dat", major=1)
    async def lookup(request: dict, context: RequestContext) -> dict:
        return PARCELS[("19234", 12, 345)]

    template = Envelope(
        id="", source="urn:lgsp:gateway:bench", type=EXCHANGE_REQUEST, subject=ADDRESS,
        data=orjson.dumps(REQUEST), replyto=bus.reply_topic, consumer="H50.1",
    )  # fmt: skip
    # signing is the gateway's cost, not the connector's: sign before the clock starts
    requests = [
        sign_envelope(replace(template, id=str(uuid.uuid4()), time=utc_now()), key, "bench")
        for _ in range(total)
    ]
    topic = Address.parse(ADDRESS).service_topic
    slots = asyncio.Semaphore(in_flight)

    async def send(request: Envelope) -> None:
        async with slots:
            reply = await bus.request(topic, request, timeout=30)
            assert reply.status == "ok"

    async with ConnectorRunner(connector, bus, keys=keys, concurrency=in_flight):
        started = time.perf_counter()
        await asyncio.gather(*(send(request) for request in requests))
        elapsed = time.perf_counter() - started
    await bus.stop()
    print(
        f"{total} requests, {in_flight} in flight: {total / elapsed:,.0f} /s, {elapsed / total * 1e6:,.0f} µs each"
    )


if __name__ == "__main__":
    asyncio.run(run())

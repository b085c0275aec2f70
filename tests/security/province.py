"""A small province for the security tests: the land department (H50.20) providing the land-parcel lookup, the
justice department (H50.05) with a consumer portal holding a grant, and agencies with clients on both sides."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from bus import Bus
from contracts.addresses import Address
from contracts.envelope import Envelope, make_reply
from tests.harness import LAND_ADDRESS, Harness, land_department

REQUEST = {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
PORTAL = "h50-05-portal"


@dataclass
class Province:
    harness: Harness
    portal: dict[str, str]  # a consumer of H50.05 holding a grant for the land service
    justice_admin: dict[str, str]  # H50.05's agency admin
    land_consumer: dict[str, str]  # a consumer of H50.20, no grant
    desk: dict[str, str]  # a consumer of H50.05.01, below the justice department


async def seed(harness: Harness, grant: dict[str, Any] | None = None) -> Province:
    await land_department(harness)
    await harness.create_agency("H50.05", "Sở Tư pháp")
    await harness.create_agency("H50.05.01", "Phòng Hộ tịch")
    desk = await harness.create_client("H50.05.01", "h50-05-01-desk")
    portal = await harness.create_client("H50.05", PORTAL)
    justice_admin = await harness.create_client("H50.05", "h50-05-admin", role="agency_admin")
    land_consumer = await harness.create_client("H50.20", "h50-20-clerk")
    response = await harness.post(
        "/api/v1/grants",
        {"client_id": PORTAL, "address": LAND_ADDRESS, "purpose": "Thủ tục hành chính", **(grant or {})},
    )
    assert response.status_code == 201, response.text
    return Province(
        harness,
        await harness.auth(*portal),
        await harness.auth(*justice_admin),
        await harness.auth(*land_consumer),
        await harness.auth(*desk),
    )


@asynccontextmanager
async def provider(bus: Bus, answer: Callable[[dict[str, Any]], Awaitable[Any] | Any]) -> AsyncIterator[None]:
    """A stand-in for the land department's connector on the gateway's bus, answering with `answer(request)`."""
    address = Address.parse(LAND_ADDRESS)

    async def handle(request: Envelope) -> None:
        reply = answer(orjson.loads(request.data))
        data = orjson.dumps(await reply if isinstance(reply, Awaitable) else reply)
        await bus.reply(request, make_reply(request, source="urn:test:land", data=data))

    subscription = await bus.subscribe([address.service_topic], "test.land", handle)
    await subscription.ready()
    try:
        yield
    finally:
        await subscription.stop()

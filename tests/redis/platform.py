"""Two gateways of one platform, in this process: one PostgreSQL database and, when given, one Redis."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.harness import LAND_ADDRESS, Harness, basic, gateway_settings, land_department, running_gateway

PORTAL = "h50-05-portal"
BAD_BODY = {
    "commune_code": "x"
}  # refused with 422 after the grant's rate is counted, so no call waits on a reply


@dataclass
class Platform:
    a: Harness
    b: Harness
    portal: dict[str, str]  # the consumer's bearer header, from gateway a; valid on both
    portal_secret: str

    @property
    def gateways(self) -> tuple[Harness, Harness]:
        return self.a, self.b

    async def call(self, gateway: Harness, headers: dict[str, str] | None = None) -> httpx.Response:
        headers = self.portal if headers is None else headers
        return await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=BAD_BODY, headers=headers)

    async def alternate(self, calls: int) -> list[httpx.Response]:
        """`calls` calls of the consumer, every other one through the other gateway."""
        return [await self.call(self.gateways[n % 2]) for n in range(calls)]


async def token_attempt(gateway: Harness, client_id: str, secret: str) -> httpx.Response:
    return await gateway.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
    )


@asynccontextmanager
async def two_gateways(
    database_url: str, data_dir: Path, storage: str | None, *, calls_per_minute: int = 10, **overrides: Any
) -> AsyncIterator[Platform]:
    """Gateway a sets up the land service and a consumer holding a grant; then gateway b starts and reads it."""

    def settings(instance: str) -> Any:
        return gateway_settings(
            database_url, data_dir, instance_id=instance, rate_limit_storage=storage,
            reply_timeout_seconds=0.5, **overrides,
        )  # fmt: skip

    async with running_gateway(settings("gw-a")) as a:
        await land_department(a)
        await a.create_agency("H50.05", "Sở Tư pháp")
        _, secret = await a.create_client("H50.05", PORTAL)
        grant = await a.post(
            "/api/v1/grants",
            {"client_id": PORTAL, "address": LAND_ADDRESS, "purpose": "Thủ tục hành chính",
             "calls_per_minute": calls_per_minute},
        )  # fmt: skip
        assert grant.status_code == 201, grant.text
        portal = await a.auth(PORTAL, secret)
        async with running_gateway(settings("gw-b")) as b:
            yield Platform(a, b, portal, secret)

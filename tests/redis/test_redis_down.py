"""Redis unreachable: every limit counts per gateway, in its memory, until Redis is back (README "At scale").

Fail open to per-gateway limits, for every throttle: an outage of Redis neither stops the platform nor lifts the
security throttles. Each gateway warns once per outage, not per request, and never answers 500 for it.
"""

import logging
from collections.abc import AsyncIterator

import pytest

from gateway.ratestore import RateStore
from tests.redis.platform import PORTAL, Platform, token_attempt, two_gateways
from tests.redis_server import RedisServer
from tests.services import free_port

UNREACHABLE = "lgsp.gateway.ratelimit"


def warnings_of_outage(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == UNREACHABLE and "unreachable" in r.getMessage()
    ]


@pytest.fixture
async def platform(
    platform_database: str, doomed_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with two_gateways(
        platform_database, tmp_path_factory.mktemp("data"), doomed_redis.url, calls_per_minute=3,
        token_failures_per_client_per_minute=3,
    ) as platform:  # fmt: skip
        yield platform


class TestRedisDownCountsPerGateway:
    async def test_calls_go_on_with_the_grant_counted_per_gateway_and_one_warning_each(
        self, platform: Platform, doomed_redis: RedisServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger=UNREACHABLE)
        doomed_redis.kill()
        statuses = [response.status_code for response in await platform.alternate(12)]
        assert statuses[:6] == [422] * 6  # 3 through each gateway: the grant holds per gateway
        assert set(statuses[6:]) == {429}
        assert len(warnings_of_outage(caplog)) == 2  # one per gateway, not one per call

    async def test_wrong_secrets_are_still_throttled_on_each_gateway(
        self, platform: Platform, doomed_redis: RedisServer
    ) -> None:
        doomed_redis.kill()
        for gateway in platform.gateways:
            statuses = [(await token_attempt(gateway, PORTAL, f"guess-{n}")).status_code for n in range(4)]
            assert statuses == [401, 401, 401, 429]

    async def test_calls_without_a_token_get_401_not_500(
        self, platform: Platform, doomed_redis: RedisServer
    ) -> None:
        doomed_redis.kill()
        statuses = {(await platform.call(gateway, headers={})).status_code for gateway in platform.gateways}
        assert statuses == {401}


class TestRedisBackSharesAgain:
    async def test_after_an_outage_the_grant_holds_for_the_platform_again(
        self,
        platform: Platform,
        doomed_redis: RedisServer,
        caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        caplog.set_level(logging.WARNING, logger=UNREACHABLE)
        monkeypatch.setattr(RateStore, "RETRY_SECONDS", 0.0)  # try Redis again on every call, not after 5 s
        doomed_redis.kill()
        during = [response.status_code for response in await platform.alternate(2)]
        assert during == [422, 422]
        assert len(warnings_of_outage(caplog)) == 2  # still one each, though every call tried Redis
        doomed_redis.start()  # empty: the outage's counts were in each gateway's memory
        statuses = [response.status_code for response in await platform.alternate(8)]
        assert statuses[:3] == [422] * 3
        assert set(statuses[3:]) == {429}
        assert sum("is back:" in record.getMessage() for record in caplog.records) == 2


class TestGatewayStartsWithoutRedis:
    async def test_a_gateway_whose_redis_is_not_there_starts_warns_and_serves(
        self,
        platform_database: str,
        tmp_path_factory: pytest.TempPathFactory,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.WARNING, logger=UNREACHABLE)
        nowhere = f"redis://127.0.0.1:{free_port()}/0"
        async with two_gateways(
            platform_database, tmp_path_factory.mktemp("data"), nowhere, calls_per_minute=2
        ) as platform:
            warned_at_start = len(warnings_of_outage(caplog))
            statuses = [(await platform.call(platform.a)).status_code for _ in range(4)]
        assert warned_at_start == 2
        assert statuses == [422, 422, 429, 429]
        assert len(warnings_of_outage(caplog)) == 2

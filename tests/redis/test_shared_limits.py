"""Rate limits hold for the platform, not per gateway, when gateways share Redis (LGSP_RATE_LIMIT_STORAGE)."""

from collections.abc import AsyncIterator

import coredis
import pytest

from tests.harness import ADMIN_ID, ADMIN_SECRET
from tests.redis.platform import PORTAL, Platform, token_attempt, two_gateways


@pytest.fixture
async def platform(
    platform_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with two_gateways(platform_database, tmp_path_factory.mktemp("data"), redis_url) as platform:
        yield platform


def admitted(statuses: list[int]) -> int:
    return sum(status != 429 for status in statuses)


class TestGrantRateAcrossGateways:
    async def test_a_grant_of_10_calls_a_minute_gives_10_through_both_gateways_together(
        self, platform: Platform
    ) -> None:
        responses = await platform.alternate(30)
        statuses = [response.status_code for response in responses]
        assert statuses[:10] == [422] * 10  # admitted (then refused for the body), 5 through each gateway
        assert set(statuses[10:]) == {429}
        for refused in responses[10:]:
            assert refused.json()["type"] == "urn:lgsp:error:rate-limited"
            assert int(refused.headers["Retry-After"]) >= 1

    async def test_a_grant_spent_on_one_gateway_is_spent_on_the_other(self, platform: Platform) -> None:
        spent = [(await platform.call(platform.a)).status_code for _ in range(10)]
        assert spent == [422] * 10
        assert (await platform.call(platform.b)).status_code == 429


class TestEmbeddedDefaultCountsPerGateway:
    async def test_without_shared_storage_each_gateway_gives_the_whole_grant(
        self, platform_database: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        async with two_gateways(platform_database, tmp_path_factory.mktemp("data"), None) as platform:
            statuses = [response.status_code for response in await platform.alternate(30)]
        assert admitted(statuses) == 20  # the documented cost of not sharing: N per gateway


class TestTokenFailuresAcrossGateways:
    @pytest.fixture
    async def strict(
        self, platform_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> AsyncIterator[Platform]:
        async with two_gateways(
            platform_database, tmp_path_factory.mktemp("data"), redis_url,
            token_failures_per_client_per_minute=4, token_failures_per_source_per_minute=6,
        ) as platform:  # fmt: skip
            yield platform

    async def test_wrong_secrets_for_one_client_are_counted_on_every_gateway(self, strict: Platform) -> None:
        gateways = strict.gateways
        statuses = [
            (await token_attempt(gateways[n % 2], PORTAL, f"guess-{n}")).status_code for n in range(5)
        ]
        assert statuses == [401, 401, 401, 401, 429]
        for gateway in gateways:  # even the right secret waits, on either gateway
            refused = await token_attempt(gateway, PORTAL, strict.portal_secret)
            assert refused.status_code == 429
            assert int(refused.headers["Retry-After"]) >= 1
        assert (await token_attempt(strict.b, ADMIN_ID, ADMIN_SECRET)).status_code == 200  # another client

    async def test_guesses_from_one_address_are_counted_on_every_gateway(self, strict: Platform) -> None:
        gateways = strict.gateways
        statuses = [(await token_attempt(gateways[n % 2], f"guess-{n}", "x")).status_code for n in range(8)]
        assert statuses[:6] == [401] * 6
        assert set(statuses[6:]) == {429}


class TestAnonymousCallsAcrossGateways:
    async def test_calls_without_a_token_are_counted_per_source_on_every_gateway(
        self, platform_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        async with two_gateways(
            platform_database,
            tmp_path_factory.mktemp("data"),
            redis_url,
            anonymous_calls_per_source_per_minute=4,
        ) as platform:
            responses = [await platform.call(platform.gateways[n % 2], headers={}) for n in range(8)]
        statuses = [response.status_code for response in responses]
        assert statuses[:4] == [401] * 4
        assert set(statuses[4:]) == {429}
        assert int(responses[-1].headers["Retry-After"]) >= 1


class RedisCommands:
    """Calls per Redis command since the last ask (commands a script runs inside count under their own names)."""

    def __init__(self, url: str) -> None:
        self.client = coredis.Redis.from_url(
            url, decode_responses=True
        )  # one connection: its HELLO is before

    async def since_last_asked(self) -> dict[str, int]:
        stats = await self.client.info("commandstats")
        await self.client.config_resetstat()
        calls = {name.removeprefix("cmdstat_"): int(stat["calls"]) for name, stat in stats.items()}
        return {name: count for name, count in calls.items() if name not in ("config|resetstat", "info")}


@pytest.fixture
async def commands(redis_url: str) -> AsyncIterator[RedisCommands]:
    commands = RedisCommands(redis_url)
    await commands.since_last_asked()
    yield commands
    commands.client.connection_pool.disconnect()


class TestRedisCostPerCall:
    async def test_an_admitted_call_costs_one_round_trip_and_a_refused_grant_none_until_its_wait(
        self, platform: Platform, commands: RedisCommands
    ) -> None:
        for gateway in platform.gateways:  # connections opened and scripts loaded: once per gateway
            assert (await platform.call(gateway)).status_code == 422
        await commands.since_last_asked()
        statuses = [response.status_code for response in await platform.alternate(8)]
        assert statuses == [422] * 8
        admitting = await commands.since_last_asked()
        assert admitting["evalsha"] == 8  # one round trip a call
        assert "hello" not in admitting  # and no new connection
        for gateway in platform.gateways:  # a first refusal asks twice: the hit, then when the window frees
            assert (await platform.call(gateway)).status_code == 429
        await commands.since_last_asked()
        refused = [response.status_code for response in await platform.alternate(20)]
        assert set(refused) == {429}
        assert await commands.since_last_asked() == {}  # then the gateway knows the wait, and refuses alone

    async def test_a_flood_without_a_token_costs_redis_nothing_once_refused(
        self, platform_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        async with two_gateways(
            platform_database,
            tmp_path_factory.mktemp("data"),
            redis_url,
            anonymous_calls_per_source_per_minute=2,
        ) as platform:
            commands = RedisCommands(redis_url)
            try:
                first = [
                    (await platform.call(platform.gateways[n % 2], headers={})).status_code for n in range(4)
                ]
                assert first == [401, 401, 429, 429]
                await commands.since_last_asked()
                flood = {
                    (await platform.call(platform.gateways[n % 2], headers={})).status_code for n in range(20)
                }
                assert flood == {429}
                assert await commands.since_last_asked() == {}
            finally:
                commands.client.connection_pool.disconnect()

"""API4 Unrestricted resource consumption: anonymous calls bounded per source, public figures computed once per
stated period, ranges and lists limited."""

from collections.abc import AsyncIterator

import pytest

from tests.harness import LAND_ADDRESS, Harness, gateway_settings, running_gateway
from tests.security.province import REQUEST, seed


@pytest.fixture
async def strict(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    settings = gateway_settings(
        database_url,
        tmp_path_factory.mktemp("data"),
        anonymous_calls_per_source_per_minute=10,
        public_cache_seconds=3600,
        reply_timeout_seconds=0.5,
    )
    async with running_gateway(settings) as harness:
        yield harness


async def exchanges_logged(harness: Harness) -> int:
    response = await harness.http.get("/api/v1/exchanges?limit=1", headers=await harness.admin())
    return int(response.json()["total"])


class TestAnonymousBurst:
    async def test_a_burst_without_tokens_gets_429s_never_5xx_and_a_bounded_log(
        self, strict: Harness
    ) -> None:
        await seed(strict)
        statuses = [
            (await strict.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST)).status_code for _ in range(25)
        ]
        assert statuses[:10] == [401] * 10  # refusals are answered and logged, as audit needs
        assert set(statuses[10:]) == {429}
        assert await exchanges_logged(strict) == 10

    async def test_the_429_says_when_to_come_back(self, strict: Harness) -> None:
        for _ in range(10):
            await strict.http.post(
                f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers={"Authorization": "Bearer x"}
            )
        response = await strict.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_consumer_with_a_token_is_not_slowed_by_anonymous_callers(self, strict: Harness) -> None:
        province = await seed(strict)
        for _ in range(20):
            await strict.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST)
        response = await strict.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        assert response.status_code == 504  # admitted: no provider is running, so the call times out


class TestPublicFiguresAreCached:
    async def test_metrics_coverage_is_not_recomputed_within_the_period(self, strict: Harness) -> None:
        first = await strict.http.get("/metrics")
        await strict.create_agency("H50.30", "Sở Xây dựng")
        second = await strict.http.get("/metrics")
        gauge = 'lgsp_coverage_agencies{state="in_scope"}'
        assert [line for line in first.text.splitlines() if line.startswith(gauge)] == [
            line for line in second.text.splitlines() if line.startswith(gauge)
        ]

    async def test_with_a_period_of_zero_the_figures_are_current(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        settings = gateway_settings(database_url, tmp_path_factory.mktemp("data"), public_cache_seconds=0)
        async with running_gateway(settings) as harness:
            first = await harness.http.get("/metrics")
            await harness.create_agency("H50.30", "Sở Xây dựng")
            second = await harness.http.get("/metrics")
        gauge = 'lgsp_coverage_agencies{state="in_scope"}'
        assert [line for line in first.text.splitlines() if line.startswith(gauge)] != [
            line for line in second.text.splitlines() if line.startswith(gauge)
        ]


class TestRangesAndLists:
    async def test_a_trend_over_a_quarter_is_refused(self, gateway: Harness) -> None:
        assert (await gateway.http.get("/api/v1/coverage/trend", params={"days": 92})).status_code == 200
        assert (await gateway.http.get("/api/v1/coverage/trend", params={"days": 93})).status_code == 422

    @pytest.mark.parametrize(
        "path",
        ["/api/v1/agencies", "/api/v1/databases", "/api/v1/clients", "/api/v1/grants", "/api/v1/exchanges",
         "/api/v1/services", "/api/v1/datasets"],
    )  # fmt: skip
    async def test_every_list_refuses_a_page_over_500(self, gateway: Harness, path: str) -> None:
        response = await gateway.http.get(path, params={"limit": 501}, headers=await gateway.admin())
        assert response.status_code == 422

    async def test_the_services_list_is_paged(self, gateway: Harness) -> None:
        await seed(gateway)
        first = await gateway.http.get("/api/v1/services", params={"limit": 1})
        past = await gateway.http.get("/api/v1/services", params={"limit": 1, "offset": 1})
        assert [item["address"] for item in first.json()] == [LAND_ADDRESS]
        assert past.json() == []

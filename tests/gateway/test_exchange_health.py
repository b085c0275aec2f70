"""`GET /api/v1/health/services`: per-service volume, failures, durations and sizes over a period."""

from datetime import UTC, datetime, timedelta

import pytest

from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from registry.storage import utcnow
from tests.harness import Harness

LAND = "H50.20/tra-cuu-thua-dat/v1"
BUSINESS = "H50.30/tra-cuu-doanh-nghiep/v1"
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


async def log_exchange(
    gateway: Harness,
    address: str,
    completed_at: datetime,
    *,
    duration_ms: int = 10,
    outcome: str = Outcome.OK,
    request_size: int = 100,
    response_size: int | None = 1000,
) -> None:
    record = ExchangeRecord(
        id=new_exchange_id(), kind=ExchangeKind.SERVICE, instance=gateway.app.state.runtime.writer.instance,
        received_at=completed_at - timedelta(milliseconds=duration_ms), completed_at=completed_at,
        outcome=outcome, address=address, provider_agency=address.split("/")[0], database_id=1,
        consumer_agency="H50", client_id="portal", request_size=request_size, response_size=response_size,
    )  # fmt: skip
    await gateway.app.state.runtime.writer.close(record, opened=False)


async def health(gateway: Harness, headers: dict[str, str], **params: str) -> dict[str, dict]:
    response = await gateway.http.get("/api/v1/health/services", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {service["address"]: service for service in response.json()["services"]}


class TestFigures:
    async def test_counts_failures_durations_and_sizes(self, gateway: Harness) -> None:
        for n in range(1, 21):  # 10, 20, ..., 200 ms
            await log_exchange(
                gateway,
                LAND,
                START + timedelta(minutes=n),
                duration_ms=10 * n,
                request_size=n,
                response_size=10 * n,
            )
        for outcome in (Outcome.TIMEOUT, Outcome.TIMEOUT, Outcome.PROVIDER_ERROR):
            await log_exchange(gateway, LAND, START + timedelta(hours=1), duration_ms=10_000, outcome=outcome)
        await log_exchange(gateway, LAND, START - timedelta(minutes=1))  # before the period
        await log_exchange(gateway, LAND, START + timedelta(days=1))  # at its end: excluded

        services = await health(
            gateway,
            await gateway.admin(),
            since=START.isoformat(),
            until=(START + timedelta(days=1)).isoformat(),
        )
        land = services[LAND]
        assert (land["count"], land["ok"]) == (23, 20)
        assert land["failures"] == {"timeout": 2, "provider_error": 1}
        assert land["failure_rate"] == pytest.approx(3 / 23)
        duration = land["duration_ms"]
        assert duration["min"] == pytest.approx(10, abs=0.5)
        assert duration["max"] == pytest.approx(200, abs=0.5)
        assert duration["avg"] == pytest.approx(105, abs=0.5)
        assert duration["p95"] == pytest.approx(190, abs=0.5)
        assert (land["request_size"]["min"], land["request_size"]["max"]) == (1, 20)
        assert land["response_size"]["avg"] == pytest.approx(105)
        assert land["provider_agency"] == "H50.20"

    async def test_the_default_period_is_the_last_24_hours(self, gateway: Harness) -> None:
        now = utcnow()
        await log_exchange(gateway, LAND, now - timedelta(hours=1))
        await log_exchange(gateway, LAND, now - timedelta(hours=25))

        services = await health(gateway, await gateway.admin())
        assert services[LAND]["count"] == 1

    async def test_a_service_with_only_failures_has_no_durations(self, gateway: Harness) -> None:
        await log_exchange(gateway, BUSINESS, utcnow() - timedelta(minutes=5), outcome=Outcome.UNAVAILABLE)

        business = (await health(gateway, await gateway.admin()))[BUSINESS]
        assert (business["count"], business["ok"], business["failure_rate"]) == (1, 0, 1.0)
        assert business["duration_ms"] == {"min": None, "avg": None, "max": None, "p95": None}


class TestVisibility:
    async def test_an_agency_sees_only_the_services_it_provides(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        client_id, secret = await gateway.create_client("H50.20", "h50-20-monitor")
        now = utcnow()
        await log_exchange(gateway, LAND, now - timedelta(minutes=2))
        await log_exchange(gateway, BUSINESS, now - timedelta(minutes=2))

        assert set(await health(gateway, await gateway.auth(client_id, secret))) == {LAND}
        assert set(await health(gateway, await gateway.admin())) == {LAND, BUSINESS}

    async def test_a_token_is_required(self, gateway: Harness) -> None:
        response = await gateway.http.get("/api/v1/health/services")
        assert response.status_code == 401


class TestBounds:
    @pytest.mark.parametrize(
        ("since", "until"),
        [("2026-06-01T00:00:00Z", "2026-07-15T00:00:00Z"), ("2026-06-02T00:00:00Z", "2026-06-01T00:00:00Z")],
    )
    async def test_a_period_too_long_or_reversed_is_refused(
        self, gateway: Harness, since: str, until: str
    ) -> None:
        response = await gateway.http.get(
            "/api/v1/health/services", params={"since": since, "until": until}, headers=await gateway.admin()
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["parameter"] == "since"

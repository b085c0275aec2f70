"""`GET /metrics`: exchanges counted where the log writer commits them, coverage gauges, platform state."""

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord
from gateway.metrics.collectors import GatewayMetrics
from registry.storage import utcnow
from tests.gateway.coverage_scenario import Scenario
from tests.harness import LAND_DATASET_ADDRESS, Harness, land_sharing, parcel


async def scrape(gateway: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await gateway.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


class TestExchangeCounts:
    async def test_shares_through_the_gateway_are_counted_by_address_and_outcome(
        self, gateway: Harness
    ) -> None:
        headers = await land_sharing(gateway)
        for number in (1, 2):
            ok = await gateway.http.post(
                f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(number)]}, headers=headers
            )
            assert ok.status_code == 202
        refused = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [{}]}, headers=headers
        )
        assert refused.status_code == 422
        anonymous = await gateway.http.post("/share/H50.99/bia-dat/v7", json={"records": []})
        assert anonymous.status_code == 401

        samples = await scrape(gateway)
        share = (("address", LAND_DATASET_ADDRESS), ("kind", "share"))
        assert samples["lgsp_exchanges_total", (*share, ("outcome", "ok"))] == 2
        assert samples["lgsp_exchanges_total", (*share, ("outcome", "client_error"))] == 1
        unrouted = (("address", "unrouted"), ("kind", "share"), ("outcome", "rejected"))
        assert samples["lgsp_exchanges_total", unrouted] == 1
        assert samples["lgsp_exchange_duration_seconds_count", (("address", LAND_DATASET_ADDRESS),)] == 2
        assert samples["lgsp_exchange_log_batch_size_count", ()] >= 1
        assert samples["lgsp_exchange_log_records_written_total", ()] >= 6  # 2 opened + 4 closed

    async def test_each_app_counts_in_its_own_registry(self) -> None:
        first, second = GatewayMetrics(), GatewayMetrics()
        now = utcnow()
        record = ExchangeRecord(
            id="x", kind=ExchangeKind.SERVICE, instance="gw", received_at=now - timedelta(milliseconds=30),
            completed_at=now, outcome=Outcome.OK, address="H50.1/a/v1", database_id=1,
        )  # fmt: skip
        first.written([(record, True)], 1)

        labels = {"address": "H50.1/a/v1", "kind": "service", "outcome": "ok"}
        assert first.registry.get_sample_value("lgsp_exchanges_total", labels) == 1
        assert second.registry.get_sample_value("lgsp_exchanges_total", labels) is None


class TestPlatformAndCoverage:
    async def test_bus_and_log_are_up(self, gateway: Harness) -> None:
        samples = await scrape(gateway)
        assert samples["lgsp_bus_up", ()] == 1
        assert samples["lgsp_exchange_log_up", ()] == 1

    async def test_coverage_gauges_match_the_coverage_api(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        for code in ("H50.1", "H50.2", "H50.3"):
            await s.agency(code)
        shared = await s.database("H50.1", "a")
        called = await s.database("H50.2", "b")
        await s.share(shared, utcnow() - timedelta(hours=2), delivered_at=utcnow() - timedelta(hours=1))
        await s.call(called, utcnow() - timedelta(hours=1))

        samples = await scrape(gateway)
        report = await s.coverage(at=None)
        assert samples["lgsp_coverage_ratio", (("figure", "agency"),)] == report["agency_coverage"]["ratio"]
        assert (
            samples["lgsp_coverage_ratio", (("figure", "database"),)] == report["database_coverage"]["ratio"]
        )
        assert report["agency_coverage"]["ratio"] == 1 / 3
        for state in ("registered", "connected", "sharing"):
            assert samples["lgsp_coverage_databases", (("state", state),)] == report["databases"][state]
        assert samples["lgsp_coverage_agencies", (("state", "in_scope"),)] == 3
        assert samples["lgsp_coverage_target", ()] == 0.6

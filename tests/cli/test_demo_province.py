"""`lgsp up --demo`: the province seeded, its connectors answering, history in the log, idempotent restarts."""

import asyncio
from pathlib import Path

import pytest

from gateway.cli.demo.province import demo_province
from gateway.exchangelog.verify import verify_log
from gateway.settings import Settings
from tests.harness import Harness, gateway_settings, running_gateway


def demo_settings(database_url: str, data_dir: Path) -> Settings:
    return gateway_settings(database_url, data_dir, demo=True, reply_timeout_seconds=5)


async def consumer_headers(harness: Harness) -> dict[str, str]:
    rotated = await harness.http.post(
        "/api/v1/clients/cong-dich-vu-cong/secret", headers=await harness.admin()
    )
    return await harness.auth("cong-dich-vu-cong", rotated.json()["client_secret"])


async def shares_delivered_since_start(harness: Harness) -> bool:
    """The sample connectors share their datasets at start; the embedded warehouse acknowledges them."""
    for _ in range(200):
        page = await harness.http.get(
            "/api/v1/exchanges", params={"kind": "share", "limit": 20}, headers=await harness.admin()
        )
        live = [e for e in page.json()["items"] if not (e["request_id"] or "").startswith("demo-history")]
        if live and all(e["delivered_at"] for e in live):
            return True
        await asyncio.sleep(0.1)
    return False


class TestDemoProvince:
    async def test_seeded_province_answers_has_a_verifiable_history_and_a_second_start_adds_none(
        self, database_url: str, tmp_path: Path
    ) -> None:
        """One seeding serves both checks (it is the slow part): the province as the first start leaves it, then
        a second start on the same database."""
        settings = demo_settings(database_url, tmp_path)
        async with running_gateway(settings, extensions=[demo_province(traffic_interval=3600)]) as demo:
            agencies = (await demo.http.get("/api/v1/agencies", params={"limit": 500})).json()
            assert agencies["total"] >= 18
            catalogue = (await demo.http.get("/api/v1/catalogue")).json()
            services = [e for e in catalogue if e["kind"] == "service"]
            assert len(services) >= 7
            assert len({e["database"] for e in services}) >= 6

            response = await demo.http.post(
                "/exchange/H50.20/tra-cuu-thua-dat/v1",
                json={"ma_xa": "19333", "so_to": 12, "so_thua": 145},
                headers=await consumer_headers(demo),
            )
            assert response.status_code == 200, response.text
            assert response.json()["found"] is True

            history = (await demo.http.get("/api/v1/exchanges", headers=await demo.admin())).json()
            assert history["total"] > 1000
            assert await shares_delivered_since_start(demo)
            report = await verify_log(demo.app.state.runtime.engine)
            assert report.intact

            trend = (await demo.http.get("/api/v1/coverage/trend", params={"days": 40})).json()
            figures = [point["agency_coverage"]["ratio"] for point in trend["points"]]
            assert figures[0] < figures[-1], "departments join over the demo's history"
            assert (
                trend["points"][0]["databases"]["registered"]
                == trend["points"][-1]["databases"]["registered"]
            )
            before = (await demo.http.get("/api/v1/exchanges", headers=await demo.admin())).json()["total"]

        async with running_gateway(settings, extensions=[demo_province(traffic_interval=3600)]) as second:
            catalogue = (await second.http.get("/api/v1/catalogue")).json()
            versions = (await second.http.get("/api/v1/services/H50.05/tra-cuu-doanh-nghiep")).json()
            after = (await second.http.get("/api/v1/exchanges", headers=await second.admin())).json()["total"]
        assert len({e["address"] for e in catalogue}) == len(catalogue)
        assert [v["version"] for v in versions[0]["versions"]] == ["1.0.0", "1.1.0", "1.1.1"]
        # only the datasets shared again at start were added: no second history
        assert after - before < 100


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("WARNING")

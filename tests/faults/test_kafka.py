"""docker-compose.yml's topology as processes on Apache Kafka and PostgreSQL (#8), then the fault campaign on it
(#9): each process, the broker and the database stopped hard under load, one fault after another."""

import asyncio
import signal
from typing import Any

import httpx
import pytest

from tests.faults.checks import check_after_fault
from tests.faults.conftest import Campaign
from tests.faults.load import Ledger, fault_under_load, share, until
from tests.faults.topology import AGENCY, DATASET_ADDRESS, LAND_ADDRESS, LAND_REQUEST, Topology

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def campaign_database(report: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in report["database_list"] if d["agency"] == AGENCY)


class TestTopologyAsProcesses:
    async def test_a_call_is_answered_a_share_delivered_and_coverage_moves(
        self, kafka_platform: Topology
    ) -> None:
        platform = kafka_platform
        assert platform.consumer is not None
        assert platform.sharer is not None
        assert all(platform.processes[name].alive for name in ("gateway", "connectors", "warehouse"))
        async with httpx.AsyncClient(base_url=platform.url, timeout=30) as http:
            admin = {"Authorization": f"Bearer {platform.admin_token()}"}
            before = (await http.get("/api/v1/coverage", headers=admin)).json()
            assert campaign_database(before)["sharing"] is False

            call = await http.post(
                f"/exchange/{LAND_ADDRESS}", json=LAND_REQUEST,
                headers={"Authorization": f"Bearer {platform.consumer.token}"},
            )  # fmt: skip
            assert call.status_code == 200, call.text
            assert call.json()["found"] is True  # from the sample land register, in the connectors' process

            platform.sent_keys.add("topology-1")
            share = await http.post(
                f"/share/{DATASET_ADDRESS}", json={"records": [{"ma_ban_ghi": "topology-1", "lan_gui": 1}]},
                headers={"Authorization": f"Bearer {platform.sharer.token}"},
            )  # fmt: skip
            assert share.status_code == 202, share.text
            record: dict[str, Any] = {}
            for _ in range(300):  # delivered by the warehouse process, acknowledged back to the gateway
                record = (await http.get(share.headers["Location"], headers=admin)).json()
                if record.get("delivered_at"):
                    break
                await asyncio.sleep(0.1)
            assert record.get("delivered_at"), record

            after = (await http.get("/api/v1/coverage", headers=admin)).json()
            assert campaign_database(after)["sharing"] is True
            assert after["database_coverage"]["covered"] >= before["database_coverage"]["covered"] + 1
            assert after["agency_coverage"]["covered"] >= before["agency_coverage"]["covered"] + 1

            # signatures are required here: the reply and the acknowledgement were signed by the seeded keys
            metrics = (await http.get("/metrics", headers=admin)).text
            refused = [
                line for line in metrics.splitlines() if line.startswith("lgsp_bus_messages_rejected_total")
            ]
            assert all(line.endswith(" 0.0") for line in refused), refused


async def inject(platform: Topology, campaign: Campaign, what: str, **fault: Any) -> None:
    ledger = Ledger()
    await fault_under_load(platform, ledger, **fault)
    campaign.injected.append((f"Apache Kafka + PostgreSQL ({platform.name})", what))
    campaign.verified.append(await check_after_fault(platform, ledger))


class TestGatewayKilled:
    @pytest.mark.parametrize("repeat", range(2))
    async def test_nothing_answered_is_lost(
        self, kafka_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        gateway = kafka_platform.gateway
        await inject(kafka_platform, campaign, "gateway SIGKILL", fault=gateway.kill, recover=gateway.start)


class TestConnectorsKilled:
    @pytest.mark.parametrize("repeat", range(2))
    async def test_nothing_answered_is_lost(
        self, kafka_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        connectors = kafka_platform.connectors
        await inject(
            kafka_platform, campaign, "connectors SIGKILL", fault=connectors.kill, recover=connectors.start
        )


class TestWarehouseKilled:
    @pytest.mark.parametrize("repeat", range(2))
    async def test_nothing_answered_is_lost(
        self, kafka_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        warehouse = kafka_platform.warehouse
        await inject(
            kafka_platform, campaign, "warehouse sink SIGKILL", fault=warehouse.kill, recover=warehouse.start
        )


class TestBrokerKilled:
    """#8: the broker killed with SIGKILL in the middle of calls and shares, then started on its data."""

    @pytest.mark.parametrize("repeat", range(2))
    async def test_nothing_answered_is_lost(
        self, kafka_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        kafka = kafka_platform.kafka
        assert kafka is not None
        await inject(
            kafka_platform, campaign, "broker SIGKILL (single node)",
            fault=lambda: kafka.kill(0), recover=lambda: kafka.start(0), down=1.0,
        )  # fmt: skip


class TestPostgresStopped:
    @pytest.mark.parametrize("repeat", range(6))
    async def test_nothing_answered_is_lost(
        self, kafka_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        postgres = kafka_platform.postgres
        assert postgres is not None
        await inject(
            kafka_platform, campaign, "PostgreSQL stopped, then started",
            fault=postgres.stop, recover=postgres.start, down=1.0,
        )  # fmt: skip


class TestWarehouseStoppedWithAShareInFlight:
    """The sink stopped (SIGTERM) while it retries a share its database refuses: the share is not committed, so
    the sink started again applies it, once."""

    async def test_the_share_is_applied_once_after_the_restart(
        self, kafka_platform: Topology, campaign: Campaign
    ) -> None:
        warehouse, postgres, ledger = kafka_platform.warehouse, kafka_platform.postgres, Ledger()
        assert warehouse.popen is not None
        assert postgres is not None
        warehouse.popen.send_signal(signal.SIGSTOP)  # the share waits on its topic until the database is down
        try:
            async with httpx.AsyncClient(base_url=kafka_platform.url, timeout=30) as http:
                accepted = await share(kafka_platform, http, ledger)
            assert accepted.status == 202, accepted
            await asyncio.to_thread(postgres.stop)
        finally:
            warehouse.popen.send_signal(signal.SIGCONT)
        try:
            failing = f"storing batch {accepted.exchange_id} failed"
            await until(lambda: failing in warehouse.since_start(), 60, "the sink retries the share")
            await asyncio.to_thread(warehouse.stop)
        finally:
            await asyncio.to_thread(postgres.start)
        assert warehouse.popen.returncode == 0, warehouse.since_start()[-3000:]
        assert f"message {accepted.exchange_id} left unconsumed" in warehouse.since_start()
        await asyncio.to_thread(warehouse.start)
        campaign.injected.append(
            (
                f"Apache Kafka + PostgreSQL ({kafka_platform.name})",
                "warehouse sink SIGTERM, a share in flight",
            )
        )
        campaign.verified.append(await check_after_fault(kafka_platform, ledger))


class TestLogAfterTheCampaign:
    def test_lgsp_log_verify_finds_the_chains_intact(self, kafka_platform: Topology) -> None:
        done = kafka_platform.lgsp("log", "verify", check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("intact")

"""One of three Apache Kafka nodes killed with SIGKILL under load (#8, #9): the platform rides through on the
other two (replication factor 3, min.insync.replicas 2, acks=all) and loses nothing; the node then rejoins."""

import pytest

from tests.faults.checks import check_after_fault
from tests.faults.conftest import Campaign
from tests.faults.load import Ledger, fault_under_load
from tests.faults.topology import Topology

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


class TestOneOfThreeBrokersKilled:
    @pytest.mark.parametrize("node", [0, 1])
    async def test_nothing_answered_is_lost(
        self, cluster_platform: Topology, campaign: Campaign, node: int
    ) -> None:
        kafka, ledger = cluster_platform.kafka, Ledger()
        assert kafka is not None
        await fault_under_load(
            cluster_platform, ledger, lambda: kafka.kill(node), lambda: kafka.start(node), while_down=4
        )
        campaign.injected.append(("Apache Kafka, 3 nodes + PostgreSQL", "one broker of three SIGKILL"))
        campaign.verified.append(await check_after_fault(cluster_platform, ledger))

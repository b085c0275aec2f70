"""Faults on the embedded default (`lgsp up` alone): the one process killed with SIGKILL under load."""

import pytest

from tests.faults.checks import check_after_fault
from tests.faults.conftest import Campaign
from tests.faults.load import Ledger, fault_under_load
from tests.faults.topology import Topology


class TestGatewayKilled:
    @pytest.mark.parametrize("repeat", range(4))
    async def test_nothing_answered_is_lost(
        self, embedded_platform: Topology, campaign: Campaign, repeat: int
    ) -> None:
        platform, ledger = embedded_platform, Ledger()
        await fault_under_load(platform, ledger, platform.gateway.kill, platform.gateway.start)
        campaign.injected.append(("embedded default", "gateway SIGKILL"))
        campaign.verified.append(await check_after_fault(platform, ledger))


class TestLogAfterTheCampaign:
    def test_lgsp_log_verify_finds_the_chains_intact(self, embedded_platform: Topology) -> None:
        done = embedded_platform.lgsp("log", "verify", check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith("intact")

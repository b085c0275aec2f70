"""`lgsp service bind|unbind` against a gateway on a real port (embedded default), the backend on loopback."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from connectors.sdk import GatewayClient
from gateway.platform import http_backends
from gateway.sandbox.registration import consumer_client, register_department
from tests.backends.backend_server import GOOD, Backend, running_backend
from tests.backends.test_backends import ADDRESS, CONTRACT
from tests.harness import ADMIN_ID, ADMIN_SECRET, LiveGateway, gateway_settings, run_cli

PASSWORD = "mat-khau-cli-bi-mat-9"  # a test secret, looked for where it must not be


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with running_backend() as running:
        yield running


@pytest_asyncio.fixture(scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[LiveGateway, GatewayClient]]:
    data_dir: Path = tmp_path_factory.mktemp("backends-cli")
    settings = gateway_settings(f"sqlite+aiosqlite:///{data_dir / 'lgsp.db'}", data_dir)
    with LiveGateway(settings, extensions=[http_backends]) as gateway:
        async with GatewayClient(gateway.url, ADMIN_ID, ADMIN_SECRET) as admin:
            await register_department(admin, [CONTRACT])
            credentials = await consumer_client(admin, "H50", [CONTRACT])
            async with GatewayClient(
                gateway.url, credentials.client_id, credentials.client_secret
            ) as consumer:
                yield gateway, consumer


class TestBind:
    async def test_bind_takes_the_secret_from_the_environment_and_never_prints_it(
        self, live: tuple[LiveGateway, GatewayClient], backend: Backend
    ) -> None:
        gateway, consumer = live
        env = gateway.cli_env() | {"LGSP_BACKEND_SECRET": PASSWORD}
        bound = await run_cli(
            ["service", "bind", ADDRESS, backend.url, "--basic", "lgsp", "--timeout", "2"], env
        )
        assert bound.exit_code == 0, bound.output
        assert ADDRESS in bound.output
        assert PASSWORD not in bound.output
        shown = await run_cli(["service", "bind", ADDRESS, backend.url, "--basic", "lgsp", "--json"], env)
        assert '"password": "set"' in shown.output
        assert PASSWORD not in shown.output

        call = await consumer.call(ADDRESS, {"ma_du_an": GOOD})
        assert call.status == 200
        assert backend.seen[-1].headers["authorization"].startswith("Basic ")

    async def test_unbind_stops_serving(
        self, live: tuple[LiveGateway, GatewayClient], backend: Backend
    ) -> None:
        gateway, _ = live
        env = gateway.cli_env() | {"LGSP_BACKEND_SECRET": PASSWORD}
        assert (
            await run_cli(["service", "bind", ADDRESS, backend.url, "--basic", "lgsp"], env)
        ).exit_code == 0
        unbound = await run_cli(["service", "unbind", ADDRESS], gateway.cli_env())
        assert unbound.exit_code == 0, unbound.output
        again = await run_cli(["service", "unbind", ADDRESS], gateway.cli_env())
        assert again.exit_code != 0
        assert len(again.output.strip().splitlines()) == 1


class TestRefused:
    async def test_a_forbidden_network_is_one_line_and_a_non_zero_exit(
        self, live: tuple[LiveGateway, GatewayClient]
    ) -> None:
        gateway, _ = live
        result = await run_cli(["service", "bind", ADDRESS, "http://169.254.169.254/"], gateway.cli_env())
        assert result.exit_code != 0
        assert "link-local" in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output

    async def test_two_kinds_of_auth_are_a_usage_error(self, live: tuple[LiveGateway, GatewayClient]) -> None:
        gateway, _ = live
        args = ["service", "bind", ADDRESS, "http://127.0.0.1:9/", "--basic", "u", "--auth-header", "X-Key"]
        result = await run_cli(args, gateway.cli_env())
        assert result.exit_code == 2
        assert "one kind of auth" in result.output

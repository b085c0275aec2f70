"""`lgsp connector run MODULE:APP`: one-line errors for what cannot run; a real run against a served gateway."""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from gateway.cli import app
from tests.connectors.conftest import VALID_REQUEST
from tests.connectors.parcels import ADDRESS, PARCELS
from tests.delivery.signers import register_signer, write_key_file
from tests.harness import Harness, LiveGateway, gateway_settings, land_department
from tests.kafka.broker import KafkaBroker

ROOT = Path(__file__).parents[2]


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "LGSP_KAFKA_BOOTSTRAP": None})


class TestAppThatCannotBeLoaded:
    @pytest.mark.parametrize(
        ("reference", "message"),
        [
            ("tests.connectors.no_such_module:connector", "cannot import tests.connectors.no_such_module"),
            ("tests.connectors.parcels:missing", "has no attribute missing"),
            ("tests.connectors.parcels:PARCELS", "not a Connector"),
            ("tests.connectors.parcels", "is not MODULE:APP"),
        ],
    )
    def test_is_a_one_line_error_with_exit_2(self, cli: CliRunner, reference: str, message: str) -> None:
        result = cli.invoke(app, ["connector", "run", reference])
        assert result.exit_code == 2
        assert message in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


class TestWithoutKafka:
    def test_says_which_setting_is_missing(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["connector", "run", "tests.connectors.parcels:connector"])
        assert result.exit_code == 2
        assert "LGSP_KAFKA_BOOTSTRAP" in result.output


@pytest.fixture
async def served_gateway(kafka_broker: KafkaBroker, tmp_path: Path) -> AsyncIterator[Harness]:
    """The gateway on a real port over Kafka, with H50.20's service registered."""
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}",
        tmp_path,
        kafka_bootstrap=kafka_broker.bootstrap,
        instance_id=f"gw-{uuid.uuid4().hex[:8]}",
    )
    with LiveGateway(settings) as live:
        async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
            harness = Harness(app=live.server.config.app, http=http, settings=settings)
            await land_department(harness)
            yield harness


class TestRun:
    async def test_serves_until_sigterm_then_stops_cleanly(
        self, served_gateway: Harness, kafka_broker: KafkaBroker, tmp_path: Path
    ) -> None:
        gateway = served_gateway
        client_id, secret = await gateway.create_client("H50", "mot-cua-tinh")
        grant = {"client_id": client_id, "address": ADDRESS, "purpose": "giải quyết thủ tục đất đai"}
        assert (await gateway.post("/api/v1/grants", grant)).status_code == 201
        await gateway.create_client("H50.20", "ket-noi-tnmt")  # the provider's client signs the replies
        key_file = write_key_file(await register_signer(gateway, "ket-noi-tnmt"), tmp_path / "key.jwk")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LGSP_")},
            "LGSP_URL": str(gateway.http.base_url),
            "LGSP_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
            "LGSP_INSTANCE_ID": f"cn-{uuid.uuid4().hex[:8]}",
            "LGSP_MESSAGE_KEY_FILE": str(key_file),
            "LGSP_DATA_DIR": str(tmp_path / "connector"),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "200",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway",
            "connector", "run", "tests.connectors.parcels:connector",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output: list[str] = []
        try:
            assert process.stdout is not None
            while not any("stop with Ctrl+C" in line for line in output):
                line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
                assert line, "the connector exited:\n" + "".join(output)
                output.append(line.decode())
            assert any("H50.20/tra-cuu-thua-dat/v1" in line and "1.0.0" in line for line in output)

            response = await gateway.http.post(
                f"/exchange/{ADDRESS}", json=VALID_REQUEST, headers=await gateway.auth(client_id, secret)
            )
            assert response.status_code == 200, response.text
            assert response.json() == PARCELS[("19234", 12, 345)]

            process.send_signal(signal.SIGTERM)
            rest, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, "".join(output) + rest.decode()
        assert rest.decode().strip().endswith("stopped")

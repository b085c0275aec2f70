"""The smaller stumbles of a newcomer's first hour, each said plainly."""

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI

from connectors.sdk import Connector, ConnectorRunner, GatewayKeys, ProviderProblem, RequestContext
from contracts.loading import load_contract
from contracts.validation import compile_contract
from gateway.cli.call import refusal
from gateway.runtime import GatewayRuntime
from tests.harness import (
    FIXTURES,
    LAND_ADDRESS,
    LAND_SERVICE,
    Harness,
    LiveGateway,
    gateway_settings,
    land_department,
    run_cli,
)

SHIPPED_LAND = Path(__file__).parents[2] / "registry/demo/contracts/H50.20--tra-cuu-thua-dat--1.0.0.yaml"


async def land(env: dict[str, str]) -> None:
    await run_cli(["agency", "create", "H50.20", "Sở Tài nguyên và Môi trường"], env)
    await run_cli(["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"], env)


class TestRegister:
    async def test_a_refusal_lists_the_places(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        await land(env)
        await run_cli(["contract", "register", str(LAND_SERVICE)], env)
        refused = await run_cli(
            ["contract", "register", str(FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml")], env
        )
        assert refused.exit_code == 1
        lines = refused.stderr.splitlines()
        assert "in 2 place(s)" in lines[0]
        assert any("/properties/purpose" in line for line in lines[1:])
        assert any("/properties/area_m2/type" in line for line in lines[1:])

    async def test_the_same_document_again_is_unchanged(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        await land(env)
        first = await run_cli(["contract", "register", str(LAND_SERVICE), "--format", "csv"], env)
        again = await run_cli(["contract", "register", str(LAND_SERVICE), "--format", "csv"], env)
        assert first.exit_code == again.exit_code == 0, again.output
        assert ",registered," in first.stdout
        assert ",unchanged," in again.stdout

    async def test_one_exit_status_for_an_invalid_document(
        self, live_gateway: LiveGateway, tmp_path: Path
    ) -> None:
        env = live_gateway.cli_env()
        await land(env)
        broken = tmp_path / "broken.yaml"
        text = (FIXTURES / "tra-cuu-thua-dat-1.1.yaml").read_text(encoding="utf-8")
        broken.write_text(text.replace("map_sheet: 12", "map_sheet: 0"), encoding="utf-8")
        lint = await run_cli(["contract", "lint", str(broken)], env)
        check = await run_cli(["contract", "check", str(LAND_SERVICE), str(broken)], env)
        register = await run_cli(["contract", "register", str(broken)], env)
        assert (lint.exit_code, check.exit_code, register.exit_code) == (1, 1, 1)
        missing = await run_cli(["contract", "register", str(tmp_path / "none.yaml")], env)
        assert missing.exit_code == 2
        assert missing.stderr.splitlines() == [
            f"error: cannot read {tmp_path / 'none.yaml'}: No such file or directory"
        ]


class TestDocuments:
    async def test_yaml_in_flow_style_is_read_as_yaml(self, tmp_path: Path) -> None:
        listed = tmp_path / "list.yaml"
        listed.write_text("[kind, code]\n", encoding="utf-8")
        result = await run_cli(["contract", "lint", str(listed)])
        assert "not a list" in result.stderr
        unfinished = tmp_path / "unfinished.yaml"
        unfinished.write_text("[kind, code\n", encoding="utf-8")
        result = await run_cli(["contract", "lint", str(unfinished)])
        assert "nor valid YAML at line 2" in result.stderr

    def test_a_failed_one_of_names_the_missing_property(self) -> None:
        contract = compile_contract(load_contract(SHIPPED_LAND.read_bytes()))
        [violation] = contract.validate_request({"ma_xa": "19333", "so_to": 12})
        assert '"so_thua" is a required property' in violation.message
        assert '"parcel_id" is a required property' in violation.message


class TestCallLines:
    def test_a_timeout_names_the_exchange_once(self) -> None:
        exchange = "01a2-ex"
        body = {"type": "urn:lgsp:error:timeout", "detail": f"no reply to exchange {exchange} within 10s"}
        line = refusal(504, body, exchange)
        assert line.count(exchange) == 1
        assert line == f"no reply to exchange {exchange} within 10s (timeout, HTTP 504)"

    def test_a_provider_error_names_the_providers_problem(self) -> None:
        body = {
            "type": "urn:lgsp:error:provider-error",
            "detail": "the provider of H50.20/tra-cuu-thua-dat/v1 failed: no such parcel",
            "provider_problem": {"type": "urn:lgsp:error:parcel-not-found", "status": 404},
        }
        line = refusal(502, body, "01a2-ex")
        assert "(provider-error, provider: parcel-not-found, HTTP 502, exchange 01a2-ex)" in line


async def slow_or_missing(request: dict, context: RequestContext) -> dict:
    """Map sheet 99 answers after the gateway has stopped waiting; anything else is not in the register."""
    if request["map_sheet"] == 99:
        await asyncio.sleep(3)
    raise ProviderProblem(404, "no such parcel", name="parcel-not-found")


@asynccontextmanager
async def land_connector(app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
    connector = Connector("H50.20", "csdl-dat-dai", contracts=[LAND_SERVICE])
    connector.service("tra-cuu-thua-dat", major=1)(slow_or_missing)
    keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
    async with ConnectorRunner(connector, runtime.bus, keys=keys):
        yield


@pytest.fixture(scope="module")
def failing_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A live gateway (reply timeout 1 s) whose land connector fails or is late; the consumer's CLI settings."""
    data = tmp_path_factory.mktemp("provider")
    settings = gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data, reply_timeout_seconds=1)
    with LiveGateway(settings, extensions=[land_connector]) as live:
        env = live.cli_env()

        async def consumer() -> dict[str, str]:
            await land(env)
            assert (await run_cli(["contract", "register", str(LAND_SERVICE)], env)).exit_code == 0
            created = await run_cli(["client", "create", "H50", "Cổng dịch vụ công", "--id", "cong-dvc"], env)
            grant = ["grant", "create", "cong-dvc", LAND_ADDRESS, "--purpose", "Giải quyết thủ tục đất đai"]
            assert (await run_cli(grant, env)).exit_code == 0
            return live.cli_env("cong-dvc", created.stdout.strip().splitlines()[-1])

        yield asyncio.run(consumer())


async def call_land(env: dict[str, str], map_sheet: int) -> tuple[int, str]:
    body = f'{{"commune_code": "19234", "map_sheet": {map_sheet}, "parcel_number": 1}}'
    result = await run_cli(["call", LAND_ADDRESS, "-d", body], env)
    return result.exit_code, result.stderr.strip()


class TestCallLinesFromAGateway:
    async def test_a_provider_problem_is_named_on_the_line(self, failing_provider: dict[str, str]) -> None:
        status, line = await call_land(failing_provider, 12)
        assert status == 1
        assert "\n" not in line
        assert re.search(
            r"\(provider-error, provider: parcel-not-found, HTTP 502, exchange [0-9a-f-]{36}\)$", line
        )

    async def test_a_timeout_names_the_exchange_once(self, failing_provider: dict[str, str]) -> None:
        status, line = await call_land(failing_provider, 99)
        assert status == 1
        [exchange] = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", line)
        assert line == f"error: no reply to exchange {exchange} within 1s (timeout, HTTP 504)"


class TestOverHttp:
    async def test_a_full_version_in_the_address_points_to_the_major(self, gateway: Harness) -> None:
        await land_department(gateway)
        response = await gateway.post("/exchange/H50.20/tra-cuu-thua-dat/1.0.0", {})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "/exchange/H50.20/tra-cuu-thua-dat/v1" in response.json()["detail"]

    async def test_json_posted_for_a_token_is_told_to_send_a_form(self, gateway: Harness) -> None:
        response = await gateway.http.post("/oauth/token", json={"grant_type": "client_credentials"})
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "takes a form (application/x-www-form-urlencoded)" in response.json()["error_description"]


class TestCoverageTimes:
    async def test_vietnam_time_unless_utc(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        vietnam = await run_cli(["coverage"], env)
        utc = await run_cli(["coverage", "--utc"], env)
        assert vietnam.exit_code == utc.exit_code == 0, vietnam.output
        assert "(UTC+7)" in vietnam.stdout.splitlines()[0]
        assert "(UTC)" in utc.stdout.splitlines()[0]
        assert "." not in vietnam.stdout.splitlines()[0].split(" at ")[1][:20], "no microseconds"

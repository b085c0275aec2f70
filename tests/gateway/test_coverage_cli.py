"""`lgsp coverage` against a gateway served over HTTP: the same figures as the API, as a table, JSON or CSV."""

import json

import httpx

from tests.harness import ADMIN_ID, ADMIN_SECRET, run_cli
from tests.live_server import LiveServer

ENV = {"LGSP_CLIENT_ID": ADMIN_ID, "LGSP_CLIENT_SECRET": ADMIN_SECRET}
AT = "2026-11-01T00:00:00+07:00"


async def api(server: LiveServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.get(path, params={"at": AT, "window": "14d"})


class TestFormats:
    async def test_json_is_the_api_answer(self, served_province: LiveServer) -> None:
        result = await run_cli(
            ["--url", served_province.url, "coverage", "--format", "json", "--at", AT, "--window", "14d"], ENV
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == (await api(served_province, "/api/v1/coverage")).json()

    async def test_csv_is_the_api_csv(self, served_province: LiveServer) -> None:
        result = await run_cli(
            ["--url", served_province.url, "coverage", "--format", "csv", "--at", AT, "--window", "14d"], ENV
        )
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes.decode() == (await api(served_province, "/api/v1/coverage.csv")).text

    async def test_the_table_shows_the_headline_and_every_department(
        self, served_province: LiveServer
    ) -> None:
        result = await run_cli(["--url", served_province.url, "coverage"], ENV)
        assert result.exit_code == 0, result.output
        report = (await api(served_province, "/api/v1/coverage")).json()
        assert "agency coverage" in result.stdout
        for agency in report["agencies"]:
            assert agency["code"] in result.stdout


class TestErrors:
    async def test_a_bad_window_is_one_line_and_a_non_zero_exit(self, served_province: LiveServer) -> None:
        result = await run_cli(["--url", served_province.url, "coverage", "--window", "soon"], ENV)
        assert result.exit_code == 1
        assert "window: 'soon' is not a number of days" in result.output
        assert "Traceback" not in result.output

    async def test_no_gateway_is_one_line(self) -> None:
        result = await run_cli(["--url", "http://127.0.0.1:9", "coverage"], ENV)
        assert result.exit_code == 1
        assert "cannot reach the gateway" in result.output

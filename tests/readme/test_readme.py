"""The README's examples, run exactly as written against a fresh `lgsp up --demo`.

The examples live in examples/ and the README holds each one verbatim, so the files the tests run are the
text a newcomer copies. The few code blocks that are not run here are listed below with the reason.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contracts.loading import load_contract
from contracts.validation import compile_contract
from gateway.cli.demo.province import TRY_REQUEST, demo_province
from gateway.replay.noise import load_rules
from gateway.settings import Settings
from tests.harness import LiveGateway

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples"
INCLUDED = [
    "tour.sh",
    "http.sh",
    "coverage.sh",
    "replay.sh",
    "noise.yaml",
    "department.sh",
    "so_tnmt/so_tnmt/connector.py",
    "so_tnmt/pyproject.toml",
    "so_tnmt/tests/test_land.py",
]
# Blocks shown but not run by this test, each for a reason.
NOT_RUN = {
    "python3 -m venv .venv": "installing is what the suite itself needs first",
    "lgsp up --demo": "the test starts the same demo in-process, on a free port",
    "lgsp demo": "tests/cli/test_demo_tour.py",
    "lgsp access request": "tests/cli/test_access_cli.py runs each access command between two agencies",
    "python -m pytest": "the suite itself",
    "export LGSP_URL=http://gateway:8080": "a deployment's settings: Kafka and another host",
    "export LGSP_DATABASE_URL=": "the at-scale topology: tests/bus and the benchmarks run it",
    "export LGSP_ADMIN_CLIENT_ID=": "tests/connectors/test_serve.py runs it, `lgsp up` and the connector as processes",
}
LAND = "H50.20/tra-cuu-thua-dat/v1"


def code_blocks(text: str) -> list[str]:
    return [match.group(1) for match in re.finditer(r"^```[a-z]*\n(.*?)^```$", text, re.S | re.M)]


class TestTheReadmeShowsTheExamples:
    @pytest.mark.parametrize("name", INCLUDED)
    def test_example_is_in_the_readme_verbatim(self, name: str) -> None:
        assert (EXAMPLES / name).read_text(encoding="utf-8") in code_blocks(README), (
            f"README.md no longer shows examples/{name} as it is"
        )

    def test_every_other_block_is_accounted_for(self) -> None:
        examples = {(EXAMPLES / name).read_text(encoding="utf-8") for name in INCLUDED}
        for block in code_blocks(README):
            if block in examples or not block.lstrip().startswith(("lgsp", "python", "export", "curl")):
                continue
            assert any(block.startswith(prefix) for prefix in NOT_RUN), f"an untested example:\n{block}"

    def test_the_noise_rules_load(self) -> None:
        assert load_rules(EXAMPLES / "noise.yaml").tolerance == 0.001

    def test_the_banner_request_fits_the_shipped_contract(self) -> None:
        contract = load_contract(
            (ROOT / "registry/demo/contracts/H50.20--tra-cuu-thua-dat--1.0.0.yaml").read_bytes()
        )
        assert compile_contract(contract).validate_request(TRY_REQUEST) == []
        assert contract.examples[0].request == TRY_REQUEST
        assert "-d '" + ('{"ma_xa": "19333", "so_to": 12, "so_thua": 145}') + "'" in README

    def test_the_example_contract_is_the_shipped_one(self) -> None:
        shipped = ROOT / "registry/demo/contracts/H50.20--tra-cuu-thua-dat--1.0.0.yaml"
        example = EXAMPLES / "so_tnmt/contracts/tra-cuu-thua-dat-1.0.0.yaml"
        assert example.read_bytes() == shipped.read_bytes()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """`lgsp up --demo` on the embedded default, its consumers calling every tenth of a second."""
    data = tmp_path_factory.mktemp("demo")
    settings = Settings(
        data_dir=data, database_url=None, warehouse_url=None, kafka_bootstrap=None, demo=True,
        admin_client_id=None, admin_client_secret=None, instance_id="readme",
    )  # fmt: skip
    with LiveGateway(settings, extensions=[demo_province(traffic_interval=0.1)]) as live:
        yield live


def consumer_secret(demo: LiveGateway) -> str:
    """What the banner prints: the demo consumer's secret, new each start (here: issued again by the admin)."""
    token = httpx.post(
        f"{demo.url}/oauth/token", data={"grant_type": "client_credentials"}, auth=("admin", "admin")
    ).json()["access_token"]
    rotated = httpx.post(
        f"{demo.url}/api/v1/clients/cong-dich-vu-cong/secret", headers={"Authorization": f"Bearer {token}"}
    )
    return str(rotated.json()["client_secret"])


def run(script: str, demo: LiveGateway, **env: str) -> str:
    """The example as a newcomer runs it: bash, from the repository root, with `lgsp` on the PATH."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LGSP_")}
    path = f"{Path(sys.executable).parent}{os.pathsep}{clean.get('PATH', '')}"
    finished = subprocess.run(
        ["bash", "-e", "-o", "pipefail", str(EXAMPLES / script)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**clean, "PATH": path, "LGSP_URL": demo.url, "COLUMNS": "100", **env},
    )  # fmt: skip
    assert finished.returncode == 0, f"examples/{script}:\n{finished.stdout}\n{finished.stderr}"
    return finished.stdout + finished.stderr


class TestTheReadmeAgainstTheDemo:
    def test_the_tour(self, demo: LiveGateway) -> None:
        output = run("tour.sh", demo, LGSP_DATA_DIR=str(demo.settings.data_dir))
        assert "✓ 1.1.0 is backward-compatible with 1.0.0" in output
        assert '"found": true' in output
        assert "intact" in output

    @pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
    def test_a_call_over_http_and_the_coverage(self, demo: LiveGateway) -> None:
        consumer = {"LGSP_CLIENT_ID": "cong-dich-vu-cong", "LGSP_CLIENT_SECRET": consumer_secret(demo)}
        assert '"found":true' in run("http.sh", demo, **consumer).replace(" ", "")
        coverage = run("coverage.sh", demo, **consumer)
        assert "Coverage of H50 at" in coverage
        assert '"agency_coverage"' in coverage
        assert (ROOT / "coverage.csv").exists()
        (ROOT / "coverage.csv").unlink()

    def test_replay_as_the_consumer(self, demo: LiveGateway) -> None:
        consumer = {"LGSP_CLIENT_ID": "cong-dich-vu-cong", "LGSP_CLIENT_SECRET": consumer_secret(demo)}
        try:
            output = run("replay.sh", demo, LGSP_DATA_DIR=str(demo.settings.data_dir), **consumer)
        finally:
            (ROOT / "land.jsonl").unlink(missing_ok=True)
        assert "with a captured request" in output

    def test_the_department_project(self, demo: LiveGateway) -> None:
        output = run("department.sh", demo)
        assert "3 of 3 pass" in output
        assert "2 passed" in output

"""The README's examples, run exactly as written against a fresh `lgsp up --demo`.

The examples live in examples/ and the README holds each one verbatim, so the files the tests run are the
text a newcomer copies. Every other code block of the README, whatever its language, says why it is not run:
a comment `<!-- not run: REASON -->` on the line before its fence, or an entry of NOT_RUN below.
"""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.loading import load_contract
from contracts.validation import compile_contract
from gateway.cli.demo.province import TRY_REQUEST
from gateway.replay.noise import load_rules
from tests.services import free_port

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
    "lgsp up --demo": "run below as a process, with --port for a free port, in a directory of its own",
    "lgsp demo": "tests/cli/test_demo_tour.py",
    "lgsp access request": "tests/cli/test_access_cli.py runs each access command between two agencies",
    "lgsp service bind": "tests/backends/test_cli.py binds and unbinds against a gateway on a real port",
    "lgsp contract import": "tests/contracts/test_openapi_import.py imports that description with these options",
    "python -m pytest": "the suite itself",
    "export LGSP_URL=http://gateway:8080": "a deployment's settings: Kafka and another host",
    "export LGSP_DATABASE_URL=": "the at-scale topology: tests/bus and the benchmarks run it",
    "export LGSP_ADMIN_CLIENT_ID=": "tests/connectors/test_serve.py runs it, `lgsp up` and the connector as processes",
}
LAND = "H50.20/tra-cuu-thua-dat/v1"


BLOCK = re.compile(r"(?:^<!-- not run: (?P<reason>.*?) -->\n)?^```[a-z]*\n(?P<body>.*?)^```$", re.S | re.M)


def code_blocks(text: str) -> list[str]:
    return [match.group("body") for match in BLOCK.finditer(text)]


def not_run_reason(text: str, body: str) -> str | None:
    """Why a block is not run: its `<!-- not run: ... -->` comment, else its NOT_RUN entry."""
    marked = [
        m.group("reason") for m in BLOCK.finditer(text) if m.group("body") == body and m.group("reason")
    ]
    listed = [reason for prefix, reason in NOT_RUN.items() if body.startswith(prefix)]
    return next(iter(marked + listed), None)


class TestTheReadmeShowsTheExamples:
    @pytest.mark.parametrize("name", INCLUDED)
    def test_example_is_in_the_readme_verbatim(self, name: str) -> None:
        assert (EXAMPLES / name).read_text(encoding="utf-8") in code_blocks(README), (
            f"README.md no longer shows examples/{name} as it is"
        )

    def test_every_other_block_says_why_it_is_not_run(self) -> None:
        examples = {(EXAMPLES / name).read_text(encoding="utf-8") for name in INCLUDED}
        unexplained = [
            block
            for block in code_blocks(README)
            if block not in examples and not (not_run_reason(README, block) or "").strip()
        ]
        assert not unexplained, "README blocks neither run (examples/) nor marked <!-- not run: why -->"

    def test_a_marked_block_is_accounted_for_and_an_unmarked_one_is_not(self) -> None:
        text = "<!-- not run: needs a second host -->\n```bash\nlgsp up --host 10.0.0.2\n```\n"
        text += '```json\n{"a": 1}\n```\n'
        first, second = code_blocks(text)
        assert not_run_reason(text, first) == "needs a second host"
        assert not_run_reason(text, second) is None

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
        for version in ("1.0.0", "2.0.0"):
            shipped = ROOT / f"registry/demo/contracts/H50.20--tra-cuu-thua-dat--{version}.yaml"
            example = EXAMPLES / f"so_tnmt/contracts/tra-cuu-thua-dat-{version}.yaml"
            assert example.read_bytes() == shipped.read_bytes(), version


@dataclass(frozen=True)
class Demo:
    """A running `lgsp up --demo` and what its banner said."""

    port: int
    data_dir: Path
    exports: dict[str, str]  # the banner's `export` lines


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`lgsp up --demo` as a newcomer runs it, in a directory of its own (its data in `.lgsp/` there) and on a
    free port; the examples then run with the `export` lines its banner prints."""
    home, port = tmp_path_factory.mktemp("demo"), free_port()
    with (home / "lgsp-up.log").open("wb") as log:
        process = subprocess.Popen(
            ["lgsp", "up", "--demo", "--port", str(port)], cwd=home, env=newcomer_env(COLUMNS="200"),
            stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
        )  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(
        target=lambda: [*map(lines.put, process.stdout or ()), lines.put(None)], daemon=True
    ).start()
    exports: dict[str, str] = {}
    try:
        while "LGSP_CLIENT_SECRET" not in exports:
            line = lines.get(timeout=180)
            assert line is not None, (home / "lgsp-up.log").read_text(encoding="utf-8")[-3000:]
            if line.strip().startswith("export "):
                exports.update(re.findall(r"(LGSP_[A-Z_]+)=(\S+)", line))
        yield Demo(port, home / ".lgsp", exports)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def newcomer_env(**env: str) -> dict[str, str]:
    """A shell with `lgsp` on the PATH and no LGSP_ setting of the test run's."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("LGSP_")}
    return {**clean, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{clean.get('PATH', '')}", **env}


def run(script: str, demo: Demo, *, as_consumer: bool, **env: str) -> str:
    """The example as a newcomer runs it: bash, from the repository root, with the banner's `LGSP_URL`, and as
    the consumer its export lines name, or else (no client id) as the demo admin."""
    exports = demo.exports if as_consumer else {"LGSP_URL": demo.exports["LGSP_URL"]}
    finished = subprocess.run(
        ["bash", "-e", "-o", "pipefail", str(EXAMPLES / script)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=newcomer_env(COLUMNS="100", **exports, **env),
    )  # fmt: skip
    assert finished.returncode == 0, f"examples/{script}:\n{finished.stdout}\n{finished.stderr}"
    return finished.stdout + finished.stderr


class TestTheReadmeAgainstTheDemo:
    def test_the_banner_tells_where_the_gateway_answers(self, demo: Demo) -> None:
        assert demo.exports["LGSP_URL"] == f"http://localhost:{demo.port}"
        assert demo.exports["LGSP_CLIENT_ID"] == "cong-dich-vu-cong"

    def test_the_tour(self, demo: Demo) -> None:
        output = run("tour.sh", demo, as_consumer=False, LGSP_DATA_DIR=str(demo.data_dir))
        assert "✓ 1.1.0 is backward-compatible with 1.0.0" in output
        assert '"found": true' in output
        assert "intact" in output

    @pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
    def test_a_call_over_http_and_the_coverage(self, demo: Demo) -> None:
        assert '"found":true' in run("http.sh", demo, as_consumer=True).replace(" ", "")
        coverage = run("coverage.sh", demo, as_consumer=True)
        assert "Coverage of H50 at" in coverage
        week_ago, _ = json.JSONDecoder().raw_decode(coverage[coverage.index('{\n  "province"') :])
        assert week_ago["window"] == "7d"
        assert week_ago["databases"]["sharing"] > 0, "the README's --at falls in the demo's history"
        assert week_ago["agency_coverage"]["covered"] > 0
        assert (ROOT / "coverage.csv").exists()
        (ROOT / "coverage.csv").unlink()

    def test_replay_as_the_consumer(self, demo: Demo) -> None:
        land = "H50.20/tra-cuu-thua-dat/v1"
        call = ["lgsp", "call", land, "-d", '{"ma_xa": "19333", "so_to": 12, "so_thua": 145}']
        subprocess.run(
            call, env=newcomer_env(**demo.exports), check=True, capture_output=True
        )  # one captured
        try:
            output = run("replay.sh", demo, as_consumer=True)
        finally:
            (ROOT / "land.jsonl").unlink(missing_ok=True)
        assert "with a captured request" in output

    def test_the_department_project(self, demo: Demo) -> None:
        output = run("department.sh", demo, as_consumer=False)
        assert "3 of 3 pass" in output
        assert "3 passed" in output  # the sandbox tests, the deprecated major among them

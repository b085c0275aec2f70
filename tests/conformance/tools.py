"""The independent tools the conformance tests run, found where `.ci/conformance-tools` installs them.

npm packages live outside the repository, in `LGSP_NPM_PREFIX` (default `~/.cache/lgsp-npm`); promtool comes from
Debian's `prometheus` package (on the PATH, or
unpacked into `LGSP_TOOLS_DIR`, default `~/.cache/lgsp-tools`). A missing tool skips its test locally and fails it with LGSP_REQUIRE_SERVICES=1.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import unavailable

NPM_PREFIX = Path(os.environ.get("LGSP_NPM_PREFIX") or Path.home() / ".cache" / "lgsp-npm")
TOOLS_DIR = Path(os.environ.get("LGSP_TOOLS_DIR") or Path.home() / ".cache" / "lgsp-tools")
HERE = Path(__file__).parent
INSTALL = "install it with `bash .ci/conformance-tools`"


def npm_tool(name: str) -> Path:
    path = NPM_PREFIX / "node_modules" / ".bin" / name
    if not path.exists():
        unavailable(f"{name} is not in {NPM_PREFIX}; {INSTALL}")
    return path


def node_with(package: str) -> str:
    node = shutil.which("node")
    if node is None:
        unavailable(f"node is not installed; {INSTALL}")
    if not (NPM_PREFIX / "node_modules" / package / "package.json").exists():
        unavailable(f"{package} is not in {NPM_PREFIX}; {INSTALL}")
    return str(node)


def promtool() -> str:
    unpacked = TOOLS_DIR / "prometheus" / "usr" / "bin" / "promtool"
    found = shutil.which("promtool") or (str(unpacked) if unpacked.exists() else None)
    if found is None:
        unavailable(f"promtool is not installed (Debian package prometheus); {INSTALL}")
    return str(found)


def run(
    command: list[str], *, stdin: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "LGSP_NPM_PREFIX": str(NPM_PREFIX), "NO_COLOR": "1", "REDOCLY_TELEMETRY": "off"},
    )


def redocly_lint(files: list[Path]) -> list[dict[str, Any]]:
    """Redocly's problems for `files` under its recommended rules, each with the file it is in."""
    result = run([str(npm_tool("redocly")), "lint", "--format=json", *map(str, files)])
    output, decoder, reports = result.stdout.decode(), json.JSONDecoder(), []
    position = output.find("{")
    while position != -1:  # one JSON report per file, one after another
        report, end = decoder.raw_decode(output, position)
        reports.append(report)
        position = output.find("{", end)
    assert len(reports) == len(files), f"redocly lint gave no report: {result.stderr.decode()[-2000:]}"
    return [
        {**problem, "file": Path(problem["location"][0]["source"]["ref"]).name}
        for report in reports
        for problem in report["problems"]
    ]


def asyncapi_parse(files: list[Path]) -> list[dict[str, Any]]:
    """The official AsyncAPI parser's verdict on each file: parsed or not, its errors, its warning count."""
    node = node_with("@asyncapi/parser")
    result = run([node, str(HERE / "asyncapi_parse.mjs"), *map(str, files)])
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]

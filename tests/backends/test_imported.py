"""A vendor's OpenAPI description, imported with `--bind`, registered and called: the department's REST system
answers through the gateway with no code written."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from contracts.cli import app
from contracts.loading import load_contract
from gateway.sandbox.composition import open_sandbox

CIVIL = Path(__file__).parents[1] / "contracts" / "fixtures" / "openapi" / "so-tp-ho-tich.yaml"


class CivilStatusSystem:
    """The Sở Tư pháp's system on loopback: answers what it is given to answer, and remembers what it was asked."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))))
                system.asked.append((self.path, body))
                data = json.dumps(system.answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[tuple[Path, CivilStatusSystem]]:
    """The description as the vendor published it, its server variables pointing at the system on loopback."""
    system = CivilStatusSystem({})
    server = ThreadingHTTPServer(("127.0.0.1", 0), system.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        description = yaml.safe_load(CIVIL.read_text(encoding="utf-8"))
        variables = description["servers"][0]["variables"]
        variables["host"]["default"], variables["port"]["default"] = (
            "127.0.0.1",
            str(server.server_address[1]),
        )
        source = tmp_path / "openapi.yaml"
        source.write_text(yaml.safe_dump(description, allow_unicode=True), encoding="utf-8")
        draft = tmp_path / "draft.yaml"
        result = CliRunner().invoke(
            app,
            ["import", str(source), "--operation", "TraCuuKhaiSinh", "--provider", "H50.03",
             "--database", "csdl-ho-tich", "--bind", "--output", str(draft)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        yield draft, system
    finally:
        server.shutdown()
        server.server_close()


class TestImportedAndBound:
    async def test_the_bound_draft_once_registered_is_answered_by_the_backend(
        self, imported: tuple[Path, CivilStatusSystem], tmp_path: Path
    ) -> None:
        draft, system = imported
        document = load_contract(draft.read_bytes())
        example = document.examples[0]
        system.answer = example.response
        async with open_sandbox([document], [], tmp_path / "sandbox") as sandbox:
            answer = await sandbox.call("H50.03/tra-cuu-khai-sinh/v1", example.request)
        assert answer.status == 200
        assert answer.body == example.response
        assert system.asked == [("/hotich/v1/khai-sinh/tra-cuu", example.request)]

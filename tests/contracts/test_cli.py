import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contracts.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
V10 = str(FIXTURES / "tra-cuu-thua-dat-1.0.yaml")
V11 = str(FIXTURES / "tra-cuu-thua-dat-1.1.yaml")
V12 = str(FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml")
DATASET = str(FIXTURES / "thua-dat-dataset.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class TestLint:
    def test_valid_contract_prints_a_summary(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["lint", V10])
        assert result.exit_code == 0, result.output
        for expected in ("service", "H50.20/tra-cuu-thua-dat/v1", "1.0.0", "examples"):
            assert expected in result.stdout

    def test_problems_are_listed_as_pointer_lines(self, runner: CliRunner, tmp_path: Path) -> None:
        text = (
            Path(V10).read_text(encoding="utf-8").replace('citizen_id: "045190004321"', 'citizen_id: "0451"')
        )
        result = runner.invoke(app, ["lint", write(tmp_path, "c.yaml", text)])
        assert result.exit_code == 1
        assert "/examples/1/response/owner/citizen_id: " in result.stdout
        assert "1 problem" in result.stdout

    def test_markup_in_messages_is_printed_as_is(self, runner: CliRunner, tmp_path: Path) -> None:
        text = (
            Path(V10)
            .read_text(encoding="utf-8")
            .replace("[/owner/citizen_id, /owner/full_name]", '["/[bold]x"]')
        )
        result = runner.invoke(app, ["lint", write(tmp_path, "c.yaml", text)])
        assert result.exit_code == 1
        assert "'/[bold]x'" in result.stdout

    def test_unparsable_file_is_a_one_line_error(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(app, ["lint", write(tmp_path, "c.yaml", "kind: service\ncode: [x\n")])
        assert result.exit_code == 1  # a refused document, as for an invalid one
        assert result.stderr.startswith("error: ")
        assert result.stderr.count("\n") == 1
        assert "line 3" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)

    def test_missing_file(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(app, ["lint", str(tmp_path / "none.yaml")])
        assert result.exit_code == 2
        assert result.stderr.startswith("error: cannot read")

    def test_oversized_file(self, runner: CliRunner, tmp_path: Path) -> None:
        result = runner.invoke(app, ["lint", write(tmp_path, "big.yaml", "title: " + "x" * 300_000)])
        assert (result.exit_code, result.stderr.startswith("error: ")) == (1, True)


class TestCheck:
    def test_compatible_version(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["check", V10, V11])
        assert result.exit_code == 0, result.output
        assert "backward-compatible" in result.stdout

    def test_breaking_version_lists_each_change(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["check", V10, V12])
        assert result.exit_code == 1
        for expected in (
            "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
            "/properties/purpose",
            "TYPE_CHANGED",
            "/properties/area_m2/type",
            "2 breaking change(s)",
        ):
            assert expected in result.stdout

    def test_mode_overrides_the_declared_rule(self, runner: CliRunner) -> None:
        assert runner.invoke(app, ["check", V10, V12, "--mode", "none"]).exit_code == 0
        # under full, the optional request field 1.1 adds is unreadable by the closed 1.0 request schema
        result = runner.invoke(app, ["check", V10, V11, "--mode", "full"])
        assert result.exit_code == 1
        assert "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL" in result.stdout

    def test_refuses_a_version_that_is_not_newer(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["check", V11, V10])
        assert result.exit_code == 2
        assert result.stderr == "error: 1.0.0 is not newer than 1.1.0\n"

    def test_refuses_different_majors(self, runner: CliRunner, tmp_path: Path) -> None:
        v2 = write(
            tmp_path,
            "v2.yaml",
            Path(V10).read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0"),
        )
        result = runner.invoke(app, ["check", V10, v2])
        assert result.exit_code == 2
        assert "new major is a new address" in result.stderr

    def test_refuses_different_addresses(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["check", V10, DATASET])
        assert result.exit_code == 2
        assert "not a version of" in result.stderr

    def test_invalid_contract_is_an_error(self, runner: CliRunner, tmp_path: Path) -> None:
        broken = write(
            tmp_path, "b.yaml", Path(V11).read_text(encoding="utf-8").replace("map_sheet: 12", "map_sheet: 0")
        )
        result = runner.invoke(app, ["check", V10, broken])
        assert result.exit_code == 1  # the same status as lint and register give this document
        assert "is not a valid contract" in result.stderr
        assert "lgsp contract lint" in result.stderr


class TestExports:
    def test_openapi_to_stdout(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["openapi", V10, "--server", "https://lgsp.example"])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert "/exchange/H50.20/tra-cuu-thua-dat/v1" in document["paths"]
        assert document["servers"] == [{"url": "https://lgsp.example"}]

    def test_openapi_to_a_file(self, runner: CliRunner, tmp_path: Path) -> None:
        output = tmp_path / "openapi.json"
        result = runner.invoke(app, ["openapi", V10, "--output", str(output)])
        assert result.exit_code == 0
        assert result.stdout == ""
        assert json.loads(output.read_text(encoding="utf-8"))["info"]["title"] == "Tra cứu thông tin thửa đất"

    def test_openapi_of_a_dataset_is_refused(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["openapi", DATASET])
        assert result.exit_code == 2
        assert "asyncapi" in result.stderr

    def test_asyncapi(self, runner: CliRunner) -> None:
        result = runner.invoke(app, ["asyncapi", DATASET, "--kafka", "127.0.0.1:9092"])
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document["servers"]["kafka"]["host"] == "127.0.0.1:9092"
        assert [channel["address"] for channel in document["channels"].values()] == [
            "lgsp.share.h50_20.thua-dat.v1"
        ]

    def test_asyncapi_of_a_service_is_refused(self, runner: CliRunner) -> None:
        assert runner.invoke(app, ["asyncapi", V10]).exit_code == 2

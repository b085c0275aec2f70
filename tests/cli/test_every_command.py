"""Every `lgsp` command, run where there is no data directory and no gateway: it succeeds or says why in one
line with a non-zero exit, never a traceback."""

import enum
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click import Command, Context
from typer.core import TyperGroup
from typer.testing import CliRunner

from gateway.cli import app
from tests.services import free_port

# Serve until stopped, or run the whole guided tour: covered by tests/cli/test_demo_*.
NOT_RUN_HERE = {("up",), ("demo",)}


def leaf_commands(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Command]]:
    if isinstance(command, TyperGroup):
        context = Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None
            yield from leaf_commands(sub, (*path, name))
    else:
        yield path, command


def placeholder(name: str, annotation: Any, tmp: Path) -> str:
    """A plausible value for a required parameter: files that do not exist, modules that cannot be imported."""
    kinds = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kind = kinds[0]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return str(next(iter(kind)).value)
    if kind is Path:
        return str(tmp / f"missing-{name}.yaml")
    if kind in (int, float):
        return "1"
    if name == "address":
        return "H50.20/tra-cuu-thua-dat/v1"
    if name in ("app", "connector"):
        return "khong_co.connector:connector"
    return "H50.99"


def invocation(path: tuple[str, ...], command: Command, tmp: Path) -> list[str]:
    args = list(path)
    for param in command.params:
        if not param.required:
            continue
        annotation = param.type_descriptor.annotation  # type: ignore[attr-defined]
        value = placeholder(param.name or "", annotation, tmp)
        args += [value] if param.param_type_name == "argument" else [param.opts[0], value]
    return args


COMMANDS = sorted(leaf_commands(typer.main.get_command(app)), key=lambda item: item[0])


@pytest.mark.parametrize(
    ("path", "command"),
    [c for c in COMMANDS if c[0] not in NOT_RUN_HERE],
    ids=[" ".join(c[0]) for c in COMMANDS if c[0] not in NOT_RUN_HERE],
)
def test_command_without_data_directory_or_gateway(
    path: tuple[str, ...], command: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "LGSP_DATA_DIR": str(tmp_path / "no-data-here"),
        "LGSP_URL": f"http://127.0.0.1:{free_port()}",
        "LGSP_CLIENT_ID": "someone",
        "LGSP_CLIENT_SECRET": "something",
        "LGSP_DATABASE_URL": None,
        "LGSP_WAREHOUSE_URL": None,
        "LGSP_KAFKA_BOOTSTRAP": None,
        "COLUMNS": "80",
    }
    result = CliRunner().invoke(app, invocation(path, command, tmp_path), env=env)  # type: ignore[arg-type]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: "), lines[0]


class TestNoDataDirectory:
    def test_log_verify_says_where_it_looked_and_how_to_point_elsewhere(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(
            app, ["log", "verify"], env={"LGSP_DATA_DIR": None, "LGSP_DATABASE_URL": None}
        )
        assert result.exit_code == 1
        assert str(tmp_path / ".lgsp" / "lgsp.db") in result.stderr
        assert "LGSP_DATA_DIR" in result.stderr
        assert not (tmp_path / ".lgsp").exists(), "looking must not create it"

    def test_a_usage_mistake_is_one_line_not_a_panel(self) -> None:
        result = CliRunner().invoke(app, ["agency", "create"])
        assert result.exit_code == 2
        assert result.stderr.strip().splitlines() == [
            "error: Missing argument 'code' (see `lgsp agency create --help`)"
        ]

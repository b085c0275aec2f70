"""List commands: identifiers are never cut, whatever the width, and every list comes as a table, JSON or CSV."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import typer
from typer._click import Context

from gateway.cli import app
from tests.harness import LAND_ADDRESS, LAND_SERVICE, LiveGateway, run_cli


async def land_published(env: dict[str, str]) -> None:
    await run_cli(["agency", "create", "H50.20", "Sở Tài nguyên và Môi trường"], env)
    await run_cli(["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"], env)
    registered = await run_cli(["contract", "register", str(LAND_SERVICE)], env)
    assert registered.exit_code == 0, registered.output
    client = await run_cli(["client", "create", "H50", "Cổng dịch vụ công tỉnh", "--id", "cong-dvc"], env)
    assert client.exit_code == 0, client.output
    grant = ["grant", "create", "cong-dvc", LAND_ADDRESS, "--purpose", "Giải quyết thủ tục đất đai " * 3]
    assert (await run_cli(grant, env)).exit_code == 0


class TestIdentifiersAreWhole:
    async def test_catalogue_and_grants_at_any_width(self, live_gateway: LiveGateway) -> None:
        await land_published(live_gateway.cli_env())
        grants = json.loads(
            (await run_cli(["grant", "list", "--format", "json"], live_gateway.cli_env())).stdout
        )
        grant_id = grants[0]["id"] if isinstance(grants, list) else grants["items"][0]["id"]
        for width in ("40", "80", "200"):
            env = {**live_gateway.cli_env(), "COLUMNS": width}
            catalogue = await run_cli(["catalogue"], env)
            assert catalogue.exit_code == 0, catalogue.output
            assert LAND_ADDRESS in catalogue.stdout, width
            listed = await run_cli(["grant", "list"], env)
            assert grant_id in listed.stdout, width
            assert "cong-dvc" in listed.stdout, width
            assert "…" not in catalogue.stdout + listed.stdout, width


class TestListFormats:
    def test_every_list_command_takes_format(self) -> None:
        root = typer.main.get_command(app)
        context = Context(root)
        lists = [("catalogue",), ("coverage",), ("warehouse", "status")]
        for name in root.list_commands(context):  # type: ignore[attr-defined]
            group = root.get_command(context, name)  # type: ignore[attr-defined]
            if hasattr(group, "list_commands") and "list" in group.list_commands(context):
                lists.append((name, "list"))
        assert len(lists) >= 7
        for path in lists:
            command = root.get_command(context, path[0])  # type: ignore[attr-defined]
            if len(path) == 2:
                command = command.get_command(context, path[1])
            formats = [p for p in command.params if "--format" in p.opts]
            assert formats, f"lgsp {' '.join(path)} has no --format"

    async def test_csv_and_json_carry_the_same_rows(self, live_gateway: LiveGateway) -> None:
        await land_published(live_gateway.cli_env())
        as_csv = await run_cli(["catalogue", "--format", "csv"], live_gateway.cli_env())
        rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        as_json = json.loads(
            (await run_cli(["catalogue", "--format", "json"], live_gateway.cli_env())).stdout
        )
        assert [row["address"] for row in rows] == [entry["address"] for entry in as_json] == [LAND_ADDRESS]
        assert rows[0]["title"] == as_json[0]["title"]


class TestCatalogueMaintenance:
    async def test_an_announced_window_has_its_column(self, live_gateway: LiveGateway) -> None:
        env = {**live_gateway.cli_env(), "COLUMNS": "80"}
        await land_published(env)
        before = await run_cli(["catalogue", "--format", "csv"], env)
        [row] = list(csv.DictReader(io.StringIO(before.stdout)))
        assert row["maintenance"] == "—"
        starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
        window = ["--from", starts.isoformat(), "--until", (starts + timedelta(hours=4)).isoformat()]
        announced = await run_cli(
            ["service", "maintenance", LAND_ADDRESS, *window, "--notice", "Nâng cấp"], env
        )
        assert announced.exit_code == 0, announced.output
        table = await run_cli(["catalogue"], env)
        vietnam = starts.astimezone(timezone(timedelta(hours=7))).strftime("%Y-%m-%d %H:%M")
        assert "maintenance" in table.stdout
        assert vietnam in table.stdout
        assert "(UTC+7)" in table.stdout
        assert "Nâng cấp" in table.stdout
        assert LAND_ADDRESS in table.stdout
        as_csv = await run_cli(["catalogue", "--format", "csv"], env)
        [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
        assert row["maintenance"].startswith(starts.isoformat().replace("+00:00", "Z"))
        assert row["maintenance"].endswith(": Nâng cấp")

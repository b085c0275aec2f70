"""`lgsp log verify`: check the exchange log's hash chains; `lgsp log trace`: an exchange's path across the
federation."""

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from gateway.cli.local import database_errors, platform_database
from gateway.exchangelog.verify import VerifyReport, verify_log
from gateway.settings import Settings
from registry.cli import Json, call, show
from registry.storage import create_engine

log = typer.Typer(help="The exchange log.", no_args_is_help=True)
console = Console()
TRACE_COLUMNS = (
    "member",
    "role",
    "outcome",
    "http_status",
    "error_type",
    "received_at",
    "sent_at",
    "completed_at",
)


@log.command("trace")
def trace(
    ctx: typer.Context,
    exchange_id: Annotated[str, typer.Argument(help="the exchange id")],
    as_json: Json = False,
) -> None:
    """The path of an exchange across the federation, read from each platform that took part (the gateway at
    LGSP_URL asks them): each hop's platform, role, times and outcome."""
    if as_json:
        ctx.obj.json_output = True

    data = call(ctx, lambda api: api.get(f"/api/v1/federation/trace/{exchange_id}"))
    show(ctx, data["hops"], TRACE_COLUMNS)
    for missing in data["missing"]:
        console.print(f"[yellow]not read[/yellow]: {missing['member']}: {missing['detail']}")


@log.command("verify")
def verify() -> None:
    """Recompute every record's hash and link; name the first record that was altered or removed."""
    url = platform_database(Settings())

    async def run() -> VerifyReport:
        engine = create_engine(url)
        try:
            return await verify_log(engine)
        finally:
            await engine.dispose()

    with database_errors(url):
        report = asyncio.run(run())
    if report.intact:
        console.print(
            f"[green]intact[/green]: {report.checked} records in {len(report.instances)} chain(s) "
            f"({', '.join(report.instances) or 'none'})"
        )
        return
    for broken in report.breaks:
        console.print(
            f"[red]broken[/red]: chain {broken.instance}, record {broken.seq} (exchange {broken.exchange_id}): "
            f"{broken.reason}"
        )
    raise typer.Exit(1)

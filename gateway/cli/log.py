"""`lgsp log verify`: check the exchange log's hash chains."""

import asyncio

import typer
from rich.console import Console

from gateway.cli.local import database_errors, platform_database
from gateway.exchangelog.verify import VerifyReport, verify_log
from gateway.settings import Settings
from registry.storage import create_engine

log = typer.Typer(help="The exchange log.", no_args_is_help=True)
console = Console()


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

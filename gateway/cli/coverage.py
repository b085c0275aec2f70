"""`lgsp coverage`: the province's coverage from a running gateway (`GET /api/v1/coverage`)."""

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any

import typer
from rich.console import Console

from gateway.coverage.export import coverage_csv
from registry.cli import OutputFormat, call, print_rows

console = Console()
VIETNAM = timezone(timedelta(hours=7), "UTC+7")


def _percent(figure: dict[str, Any]) -> str:
    verdict = "[green]met[/green]" if figure["met"] else "[yellow]not met[/yellow]"
    return (
        f"[bold]{figure['ratio']:.1%}[/bold] ({figure['covered']}/{figure['total']}), "
        f"target {figure['target']:.0%}: {verdict}"
    )


def _when(text: str | None, zone: timezone) -> str:
    """An RFC 3339 time from the API in the reader's zone, to the second: 2026-12-02 05:09:31 (UTC+7)."""
    if not text:
        return "—"
    return datetime.fromisoformat(text).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def moment(at: str | None) -> str | None:
    """--at as the API takes it: `-7d` is seven days before now; anything else is passed on as written."""
    relative = re.fullmatch(r"-(\d+)d", at or "")
    if relative:
        return (datetime.now(VIETNAM) - timedelta(days=int(relative[1]))).isoformat(timespec="seconds")
    return at


def _show_table(report: dict[str, Any], zone: timezone) -> None:
    console.print(
        f"Coverage of {report['province']} at {_when(report['at'], zone)} ({zone.tzname(None)}) "
        f"over {report['window']} (since {_when(report['window_start'], zone)})"
    )
    console.print(f"  agency coverage (departments sharing):    {_percent(report['agency_coverage'])}")
    console.print(f"  database coverage (sharing / registered): {_percent(report['database_coverage'])}")
    counts = report["databases"]
    console.print(
        f"  databases: {counts['registered']} registered, {counts['connected']} connected (kết nối), "
        f"{counts['sharing']} sharing (chia sẻ)"
    )
    columns = ("agency", "name", "registered", "connected", "sharing", "last exchange")
    rows = [
        (
            agency["code"] + ("" if agency["in_scope"] else " *"),
            agency["name"],
            str(agency["databases"]["registered"]),
            str(agency["databases"]["connected"]),
            str(agency["databases"]["sharing"]),
            _when(agency["last_exchange_at"], zone),
        )
        for agency in report["agencies"]
    ]
    numbers = {"registered": "right", "connected": "right", "sharing": "right"}
    print_rows(console, columns, rows, identifiers=("agency", columns[-1]), justify=numbers)
    if any(not agency["in_scope"] for agency in report["agencies"]):
        console.print("[dim]* not a department of the province: not counted in the agency coverage[/dim]")


def coverage(
    ctx: typer.Context,
    window: Annotated[
        str | None, typer.Option(help="W in whole days, e.g. 30d (default: the gateway's)")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="T: ISO 8601 (without an offset, Vietnam time), or -Nd for N days ago (default: now)"
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, json or csv")] = OutputFormat.TABLE,
    utc: Annotated[bool, typer.Option("--utc", help="show times in UTC, not Vietnam time (UTC+7)")] = False,
) -> None:
    """Registered, connected and sharing databases per department, and the coverage against the target.

    The table shows times in Vietnam time (UTC+7) unless --utc; JSON and CSV keep the API's UTC times."""
    report = call(ctx, lambda api: api.get("/api/v1/coverage", window=window, at=moment(at)))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif output is OutputFormat.CSV:
        typer.echo(coverage_csv(report), nl=False)
    else:
        _show_table(report, UTC if utc else VIETNAM)

"""`lgsp contract verify CONTRACT --connector MODULE:APP`: the contract's examples against the connector.

Exit status: 0 every example passes, 1 one fails, 2 the verification cannot run.
"""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from gateway.cli import replay_options as opt
from gateway.cli.connector import load_connectors
from gateway.cli.replay import one_line_errors
from gateway.replay.verify import ExampleResult, verify_contract

console = Console(highlight=False)


def _print(results: list[ExampleResult], title: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("example", no_wrap=True, overflow="fold")  # the name identifies the example: never cut
    for column in ("status", "result", "first problem"):
        table.add_column(column, overflow="fold")
    for result in results:
        status = f"{result.answer.status}" if result.answer else "—"
        verdict = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
        table.add_row(escape(result.name), status, verdict, escape(result.first_problem))
    console.print(table)
    for result in results:
        if not result.passed and (diff := result.diff()):
            console.rule(f"[red]✗ {escape(result.name)}[/red]", align="left")
            for difference in result.comparison.differences[:10]:
                console.print(f"  • {escape(difference.describe())}")
            console.print(Syntax(diff, "diff", theme="ansi_dark", background_color="default", word_wrap=True))


def verify(
    contract: Annotated[Path, typer.Argument(help="a service contract (YAML or JSON)", show_default=False)],
    connector: Annotated[
        str, typer.Option("--connector", metavar="MODULE:APP", help="a Connector (or a list, or a factory)")
    ],
    app_dir: opt.AppDirOption = Path("."),
    rules: opt.RulesOption = None,
    ignore: opt.IgnoreOption = None,
    unordered: opt.UnorderedOption = False,
    tolerance: opt.ToleranceOption = 0.0,
    normalise_timestamps: opt.TimestampsOption = False,
    normalise_ids: opt.IdsOption = False,
) -> None:
    """Run each example of CONTRACT against the connector (no gateway) and check its answers."""
    with one_line_errors():
        compiled = opt.noise_rules(rules, ignore, unordered, tolerance, normalise_timestamps, normalise_ids)
        document = opt.contract_file(contract)
        if not document.examples:
            opt.fail(f"{contract} has no examples to verify")
        connectors = load_connectors(connector, app_dir)
        results = asyncio.run(verify_contract(document, connectors, compiled))
    failed = sum(1 for result in results if not result.passed)
    _print(results, f"{document.address} {document.version} · {len(results) - failed} of {len(results)} pass")
    if failed:
        raise typer.Exit(1)

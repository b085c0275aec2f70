"""The replay report on a terminal: counts, skip reasons, and for each mismatch its differences and diff."""

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from gateway.replay.report import ReplayReport, Verdict

MAX_LISTED = 10


def print_report(report: ReplayReport, console: Console) -> None:
    for result in report.results:
        if result.verdict is Verdict.DIFFERENT:
            exchange = result.exchange
            console.rule(f"[red]✗ {escape(exchange.id)}[/red] {escape(exchange.address)}", align="left")
            console.print(f"status {result.status_pair}", highlight=False)
            for difference in result.differences[:MAX_LISTED]:
                console.print(f"  • {escape(difference.describe())}", highlight=False)
            if len(result.differences) > MAX_LISTED:
                console.print(f"  … and {len(result.differences) - MAX_LISTED} more", highlight=False)
            if diff := result.diff():
                console.print(
                    Syntax(diff, "diff", theme="ansi_dark", background_color="default", word_wrap=True)
                )
        elif result.verdict is Verdict.FAILED:
            console.print(
                f"[yellow]! {escape(result.exchange.id)}[/yellow] {escape(result.exchange.address)}: "
                f"failed to send: {escape(result.reason or '')}",
                highlight=False,
            )
    summary = report.summary()
    table = Table(title=f"Replay on {escape(report.target)}", title_justify="left")
    for column in ("replayed", "same", "different", "failed to send", "skipped"):
        table.add_column(column, justify="right")
    table.add_row(
        str(summary["replayed"]),
        f"[green]{summary['same']}[/green]",
        f"[red]{summary['different']}[/red]" if summary["different"] else "0",
        f"[yellow]{summary['failed']}[/yellow]" if summary["failed"] else "0",
        str(summary["skipped"]),
    )
    console.print(table)
    for reason, count in report.skip_reasons().most_common():
        console.print(f"skipped {count}: {escape(reason)}", highlight=False)
    if report.masked:
        console.print(
            f"{report.masked} value(s) masked in the recordings (***) were not compared", highlight=False
        )

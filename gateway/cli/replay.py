"""`lgsp replay run|export`: replay captured exchanges on a gateway or a connector; share them as cassettes.

Exit status: 0 every replayed answer is the same, 1 something differs or could not be sent, 2 the replay
cannot run (bad input, an unreachable source, connectors that cannot start).
"""

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from connectors.sdk import ApiProblem, Connector
from connectors.sdk.documents import fetch_document
from contracts.document import ContractDocument, Kind
from contracts.errors import LgspError
from gateway.cli import replay_options as opt
from gateway.cli.connector import CannotStart, load_connectors
from gateway.cli.errors import stderr
from gateway.cli.state import GatewayCliState
from gateway.replay import (
    ConnectorTarget,
    GatewayTarget,
    RecordedExchange,
    ReplayOptions,
    ReplayReport,
    Selection,
    Target,
    read_cassette,
    replay,
    select_from_gateway,
    write_cassette,
)
from gateway.replay.junit import write_junit
from gateway.replay.rendering import print_report

replay_app = typer.Typer(
    help="Replay captured exchanges against a gateway or a connector, and share them as cassettes.",
    no_args_is_help=True,
)
console = Console(highlight=False)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """What stops a replay from running, as one line and exit 2."""
    try:
        yield
    except (LgspError, CannotStart) as exc:
        opt.fail(exc.detail if isinstance(exc, LgspError) else str(exc))
    except ApiProblem as exc:
        opt.fail(exc.one_line())
    except httpx.ConnectError as exc:
        opt.fail(
            f"cannot reach the gateway at {exc.request.url.copy_with(path='/', query=None)}; is `lgsp up` running?"
        )
    except httpx.HTTPError as exc:
        opt.fail(f"cannot talk to the gateway: {exc!r}")


async def _recorded(
    state: GatewayCliState, cassette: Path | None, selection: Selection
) -> list[RecordedExchange]:
    if cassette is not None:
        return selection.pick(read_cassette(cassette)[1])
    async with state.client() as client:
        return await select_from_gateway(client, selection)


@replay_app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="the cassette to write (JSON Lines)")],
    address: opt.AddressOption = None,
    version: opt.VersionOption = None,
    consumer: opt.ConsumerOption = None,
    outcome: opt.OutcomeOption = None,
    since: opt.SinceOption = None,
    until: opt.UntilOption = None,
    ids: opt.IdOption = None,
    limit: opt.LimitOption = None,
    captured_only: opt.CapturedOnlyOption = False,
) -> None:
    """Write the selected exchanges of the gateway at --url to a cassette (payloads masked as captured)."""
    state: GatewayCliState = ctx.obj
    chosen = opt.selection(address, version, consumer, outcome, since, until, ids, limit, captured_only)
    with one_line_errors():
        exchanges = asyncio.run(_recorded(state, None, chosen))
        write_cassette(output, exchanges, source=state.url, selection=chosen.describe())
    captured = sum(1 for e in exchanges if e.request is not None)
    console.print(f"exported {len(exchanges)} exchange(s), {captured} with a captured request, to {output}")


async def _missing_contracts(
    state: GatewayCliState,
    cassette: Path | None,
    connectors: list[Connector],
    newer: ContractDocument | None,
    exchanges: list[RecordedExchange],
) -> list[ContractDocument]:
    """Contracts for the replayed services the connectors bundle none for: from the source gateway's registry,
    else the --contract document. A connector's own contract stays: --contract is what its answers are checked
    against, not what it validates with (else it would refuse what the check is there to report)."""
    wanted = {e.address for e in exchanges}
    lacking = {
        address
        for connector in connectors
        for address in connector.services
        if str(address) in wanted and connector.document(Kind.SERVICE, address) is None
    }
    if lacking and cassette is None:
        async with state.client() as client:
            return [await fetch_document(client, Kind.SERVICE, address) for address in lacking]
    return [newer] if newer is not None and newer.address in lacking else []


async def _replay(
    exchanges: list[RecordedExchange], target: Target, options: ReplayOptions, source: str
) -> ReplayReport:
    columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=stderr) as progress:
        task = progress.add_task("replay", total=len(exchanges))
        async with target:
            return await replay(
                exchanges, target, options, source=source, on_result=lambda _: progress.advance(task)
            )


async def _target(
    state: GatewayCliState,
    cassette: Path | None,
    exchanges: list[RecordedExchange],
    options: ReplayOptions,
    *,
    target_url: str | None,
    connector: str | None,
    app_dir: Path,
    answer_timeout: float,
) -> Target:
    if connector is None:
        return GatewayTarget(
            target_url or state.url, state.client_id, state.client_secret, timeout=answer_timeout
        )
    connectors = load_connectors(connector, app_dir)
    documents = await _missing_contracts(state, cassette, connectors, options.contract, exchanges)
    return ConnectorTarget(
        connectors, documents=documents, timeout=answer_timeout, concurrency=options.concurrency
    )


def _explain_refusals(report: ReplayReport, client_id: str | None) -> None:
    """A replay on a gateway sends each request as the tester's own client, which needs the service's grant:
    the admin (the default identity) holds none, the recorded consumers do."""
    refused = [r for r in report.results if r.reason and "no-grant" in r.reason]
    if not refused:
        return
    addresses = sorted({r.exchange.address for r in refused})
    recorded = Counter(r.exchange.client_id for r in refused if r.exchange.client_id)
    stderr.print(
        f"[yellow]hint:[/yellow] the gateway replays each request as your client ({client_id or 'the admin'}), "
        f"and it holds no grant for {', '.join(addresses)}. Replay as a client that does, such as the one "
        "that sent them:",
        soft_wrap=True,
    )
    for recorded_client, _ in recorded.most_common(1):
        stderr.print(
            f"  LGSP_CLIENT_ID={recorded_client} LGSP_CLIENT_SECRET=... lgsp replay run ...",
            soft_wrap=True,
            markup=False,
        )


@replay_app.command("run")
def run(
    ctx: typer.Context,
    cassette: Annotated[
        Path | None, typer.Option("--cassette", help="replay from this file, not --url's log")
    ] = None,
    target_url: Annotated[
        str | None, typer.Option("--target", help="gateway to replay on (default: --url), as your own client")
    ] = None,
    connector: opt.ConnectorOption = None,
    app_dir: opt.AppDirOption = Path("."),
    contract: Annotated[
        Path | None, typer.Option("--contract", help="a newer version: requests and answers must match it")
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="exchanges in flight")] = 8,
    include_masked: Annotated[
        bool, typer.Option("--include-masked", help="send requests whose recording holds masked values")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="seconds to wait for each answer")
    ] = 30.0,
    address: opt.AddressOption = None,
    version: opt.VersionOption = None,
    consumer: opt.ConsumerOption = None,
    outcome: opt.OutcomeOption = None,
    since: opt.SinceOption = None,
    until: opt.UntilOption = None,
    ids: opt.IdOption = None,
    limit: opt.LimitOption = None,
    captured_only: opt.CapturedOnlyOption = False,
    rules: opt.RulesOption = None,
    ignore: opt.IgnoreOption = None,
    unordered: opt.UnorderedOption = False,
    tolerance: opt.ToleranceOption = 0.0,
    normalise_timestamps: opt.TimestampsOption = False,
    normalise_ids: opt.IdsOption = False,
    junit: opt.JunitOption = None,
) -> None:
    """Replay captured exchanges and compare each answer with the recorded one; exit 1 if any differs."""
    state: GatewayCliState = ctx.obj
    if target_url and connector:
        opt.fail("give --target (a gateway) or --connector, not both")
    chosen = opt.selection(address, version, consumer, outcome, since, until, ids, limit, captured_only)
    with one_line_errors():
        compiled = opt.noise_rules(rules, ignore, unordered, tolerance, normalise_timestamps, normalise_ids)
        options = ReplayOptions(
            compiled, concurrency, include_masked, opt.contract_file(contract) if contract else None
        )

        async def run_replay() -> ReplayReport:
            exchanges = await _recorded(state, cassette, chosen)
            if not exchanges:
                opt.fail("no captured exchange matches the selection")
            target = await _target(
                state, cassette, exchanges, options,
                target_url=target_url, connector=connector, app_dir=app_dir, answer_timeout=timeout,
            )  # fmt: skip
            return await _replay(exchanges, target, options, str(cassette) if cassette else state.url)

        report = asyncio.run(run_replay())
    print_report(report, console)
    _explain_refusals(report, state.client_id)
    if junit is not None:
        write_junit(report, junit)
    if not report.passed:
        raise typer.Exit(1)

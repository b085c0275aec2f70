"""`lgsp connector run MODULE:APP`: serve department connectors on Kafka, against a running gateway."""

import asyncio
import importlib
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from bus import Bus
from connectors.sdk import ApiProblem, Connector, ConnectorRunner, GatewayClient, GatewayKeys
from connectors.sdk.datasets import DatasetSchedule
from connectors.sdk.responder import FRESHNESS
from contracts.errors import LgspError
from contracts.keyring import MessageKeyring, load_keyring
from contracts.signing import MessageSigner
from gateway.cli.errors import stderr
from gateway.settings import Settings
from registry.cli import print_rows

if TYPE_CHECKING:
    from bus.kafka import KafkaBus

connector = typer.Typer(help="Department connectors.", no_args_is_help=True)
log = logging.getLogger("lgsp.connector")
console = Console(highlight=False)


class CannotStart(Exception):
    """Nothing to run, or nothing to run it on: a usage error (exit 2), as for a file that cannot be read."""


def _fail(message: str, code: int) -> NoReturn:
    # printed here rather than raised as a ClickException, which Typer's rich mode draws as a boxed panel
    stderr.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def load_connectors(reference: str, app_dir: Path) -> list[Connector]:
    """The Connector (a list of them, or a factory of either) named `MODULE:APP`, imported from `app_dir`."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise CannotStart(f"'{reference}' is not MODULE:APP (for example sample.connector:connector)")
    directory = str(app_dir.resolve())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        found: Any = importlib.import_module(module_name)
    except Exception as exc:  # a missing module, or one that fails while importing
        raise CannotStart(f"cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise CannotStart(f"module {module_name} has no attribute {attribute}") from None
        found = getattr(found, part)
    if callable(found) and not isinstance(found, Connector):
        try:
            found = found()  # a factory, such as connectors.samples.connectors:build_connectors
        except Exception as exc:
            raise CannotStart(f"{reference}() failed: {type(exc).__name__}: {exc}") from None
    connectors = [found] if isinstance(found, Connector) else found
    if (
        not isinstance(connectors, list | tuple)
        or not connectors
        or not all(isinstance(item, Connector) for item in connectors)
    ):
        raise CannotStart(f"{reference} is a {type(found).__name__}, not a Connector or a list of Connectors")
    return list(connectors)


def _run_http_command(app: str | None, url: str) -> None:
    from gateway.cli.errors import CliError

    if app is not None:
        _fail("--http runs the built-in HTTP connector: give no MODULE:APP with it", 2)
    settings = Settings()
    if not settings.kafka_bootstrap:
        _fail("--http on the embedded default is not needed: lgsp up serves bound services itself", 2)
    try:
        load_keyring(settings.message_key_file)
    except LgspError as exc:
        _fail(exc.detail or str(exc), 2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("aiokafka", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        asyncio.run(_run_http(settings, url))
    except CliError as exc:
        _fail(str(exc), 1)
    except LgspError as exc:  # the gateway's keys cannot be fetched
        _fail(exc.detail or str(exc), 1)
    console.print("stopped")


def sharing_refused(connectors: list[Connector], credentials: tuple[str | None, str | None]) -> str | None:
    """Why these connectors' datasets cannot be shared with these credentials, or None when they can."""
    if any(c.datasets for c in connectors) and not all(credentials):
        return "sharing datasets needs the connector's own client: set LGSP_CLIENT_ID and LGSP_CLIENT_SECRET"
    return None


def print_sharing(schedules: list[DatasetSchedule]) -> None:
    """The "Sharing" table: each dataset this process shares, how often and with which producer."""
    if not schedules:
        return
    shared = []
    for schedule in schedules:
        producer = schedule.registration.producer
        name = f"{producer.__module__}.{getattr(producer, '__qualname__', producer)}"
        shared.append((str(schedule.registration.address), str(schedule.registration.every), name))
    headers = ("dataset", "every", "producer")
    print_rows(console, headers, shared, identifiers=headers, title="Sharing")


def _print_serving(runner: ConnectorRunner, bus: Bus, url: str) -> None:
    columns = ("service", "contract", "handler", "consumer group")
    rows = [(str(s.address), s.version, s.handler, s.group) for s in runner.services]
    print_rows(console, columns, rows, identifiers=columns, title="Serving")
    print_sharing(runner.schedules)
    broker = getattr(bus, "bootstrap", "in-process")
    console.print(f"Kafka {broker} · gateway {url} · instance {bus.instance_id}; stop with Ctrl+C")


async def serve(
    connectors: list[Connector],
    *,
    bus: Bus,
    url: str,
    credentials: tuple[str | None, str | None],
    concurrency: int,
    stop: asyncio.Event,
    share_now: bool = False,
    signer: MessageSigner | MessageKeyring | None = None,
    seen_path: Path | None = None,
    freshness: float = FRESHNESS,
) -> None:
    """Serve on a started `bus` until `stop` is set, then stop cleanly (handlers in flight finish and reply)."""
    gateway = GatewayClient(url, *credentials)
    keys = GatewayKeys(url=url)
    runner = ConnectorRunner(
        connectors, bus, keys=keys, gateway=gateway, concurrency=concurrency, share_now=share_now,
        signer=signer, seen_path=seen_path, freshness=freshness,
    )  # fmt: skip
    try:
        await runner.start()
        _print_serving(runner, bus, url)
        await stop.wait()
        await runner.stop()
    finally:
        await keys.aclose()
        await gateway.aclose()


async def _run(
    connectors: list[Connector],
    settings: Settings,
    url: str,
    credentials: tuple[str | None, str | None],
    concurrency: int,
    share_now: bool,
) -> None:

    assert settings.kafka_bootstrap is not None
    signer = load_keyring(settings.message_key_file)  # checked by `run` already: provider clients' keys
    if signer is None:
        log.warning(
            "LGSP_MESSAGE_KEY_FILE is not set: replies go unsigned, and a gateway on Kafka drops them"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stop = _stop_on_signals()
    bus = _connector_bus(settings)
    await bus.start()
    try:
        await serve(
            connectors, bus=bus, url=url, credentials=credentials, concurrency=concurrency, stop=stop,
            share_now=share_now,
            signer=signer, seen_path=settings.seen_requests_file, freshness=settings.request_freshness_seconds,
        )  # fmt: skip
    finally:
        await bus.stop()


async def _run_http(settings: Settings, url: str) -> None:
    """The built-in HTTP connector on Kafka: every service bound to a backend in the platform's registry,
    believing requests signed by the keys of the gateway at `url` (as `lgsp connector run` does)."""
    from gateway.cli.local import database_errors, platform_database
    from gateway.platform import backends_connector
    from registry.storage import create_engine, create_sessionmaker

    assert settings.kafka_bootstrap is not None
    database = platform_database(settings)
    engine = create_engine(database)
    stop = _stop_on_signals()
    keys = GatewayKeys(url=url)
    bus = _connector_bus(settings)
    await bus.start()
    try:
        signer = load_keyring(settings.message_key_file)
        with database_errors(database):
            group = (
                f"lgsp.http-backends.{settings.instance_id}.registry"  # hears every binding change at once
            )
        sessions = create_sessionmaker(engine)
        seen = settings.seen_requests_file
        async with backends_connector(bus, sessions, settings, keys, signer, group, seen) as backends:
            served = sorted(backends.bindings)
            console.print(f"serving {len(served)} bound service(s): {', '.join(served) or 'none yet'}")
            console.print(f"gateway {url}; stop with Ctrl+C")
            await stop.wait()
    finally:
        await keys.aclose()
        await bus.stop()
        await engine.dispose()


@connector.command("run")
def run(
    ctx: typer.Context,
    app: Annotated[
        str | None, typer.Argument(metavar="MODULE:APP", help="a Connector or a list of them")
    ] = None,
    http: Annotated[
        bool,
        typer.Option(
            "--http",
            help="run the built-in HTTP connector instead: every service bound to an HTTP backend "
            "(a consumer group each; bindings followed without restart); needs the platform database",
        ),
    ] = False,
    app_dir: Annotated[Path, typer.Option(help="directory to import MODULE from")] = Path("."),
    concurrency: Annotated[int, typer.Option(min=1, help="handler calls at once per service")] = 16,
    share_now: Annotated[
        bool, typer.Option(help="share the datasets this process holds at once, not at their next due time")
    ] = False,
) -> None:
    """Serve connectors: answer their services from Kafka and share their datasets through the gateway.

    Needs LGSP_KAFKA_BOOTSTRAP. Contracts and keys come from the gateway at --url (LGSP_URL).

    Datasets are shared with the client credentials in LGSP_CLIENT_ID and LGSP_CLIENT_SECRET, each by one
    process of its agency at a time, one interval after its last share (at once when never shared).

    Stops cleanly on Ctrl+C or SIGTERM: handlers in flight finish and reply.
    """
    root = ctx.find_root().params
    url, credentials = str(root.get("url")), (root.get("client_id"), root.get("client_secret"))
    if http:
        _run_http_command(app, url)
        return
    try:
        if app is None:
            raise CannotStart("give MODULE:APP, or --http for the built-in HTTP connector")
        connectors = load_connectors(app, app_dir)
        try:
            settings = Settings()
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            raise CannotStart(
                f"invalid setting LGSP_{str(first['loc'][0]).upper()}: {first['msg']}"
            ) from None
        if not settings.kafka_bootstrap:
            raise CannotStart(
                "lgsp connector run needs a Kafka broker: set LGSP_KAFKA_BOOTSTRAP (host:port); the "
                "in-process bus only joins connectors that run inside the gateway (lgsp up --demo)"
            )
        if refused := sharing_refused(connectors, credentials):
            raise CannotStart(refused)
        try:
            load_keyring(settings.message_key_file)
        except LgspError as exc:
            raise CannotStart(exc.detail or str(exc)) from None
    except CannotStart as exc:
        _fail(str(exc), 2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("aiokafka", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        asyncio.run(_run(connectors, settings, url, credentials, concurrency, share_now))
    except ApiProblem as exc:
        _fail(exc.one_line(), 1)
    except LgspError as exc:
        _fail(exc.detail, 1)
    except httpx.HTTPError as exc:
        _fail(f"cannot talk to the gateway at {url}: {exc!r}", 1)
    console.print("stopped")


@connector.command("serve")
def serve_over_http(
    ctx: typer.Context,
    app: Annotated[str, typer.Argument(metavar="MODULE:APP", help="a Connector or a list of them")],
    app_dir: Annotated[Path, typer.Option(help="directory to import MODULE from")] = Path("."),
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="port to listen on (0: any free one)")] = 8081,
    gateway: Annotated[
        str | None, typer.Option(help="the gateway's base URL (default: --url, LGSP_URL)", show_default=False)
    ] = None,
    bind: Annotated[
        bool, typer.Option(help="bind each service to this process at the gateway, and unbind it on exit")
    ] = True,
    share_now: Annotated[
        bool, typer.Option(help="share the datasets this process holds at once, not at their next due time")
    ] = False,
) -> None:
    """Serve connectors' services over HTTP as backends of a gateway (the embedded default: `lgsp up`), and
    share their datasets as `lgsp connector run` does.

    Every request's platform signature is checked against the gateway's envelope keys; requests and answers
    are checked against the contracts, as `lgsp connector run` does on Kafka. Each service is bound to this
    process (`lgsp service bind`) with the CLI's credentials (LGSP_CLIENT_ID and LGSP_CLIENT_SECRET, by
    default the bootstrap admin) and unbound on Ctrl+C or SIGTERM.

    Datasets are shared only with a client's own credentials (LGSP_CLIENT_ID and LGSP_CLIENT_SECRET), never
    as the bootstrap admin; each by one process of its agency at a time when LGSP_KAFKA_BOOTSTRAP is set,
    else by this process.
    """
    from bus.memory import InProcessBus
    from gateway.cli.connector_http import serve_http, take_port
    from gateway.cli.state import GatewayCliState, cli_state

    state: GatewayCliState = ctx.find_root().obj
    if gateway is not None:
        state = cli_state(gateway, state.given_id, state.given_secret)
    try:
        connectors = load_connectors(app, app_dir)
    except CannotStart as exc:
        _fail(str(exc), 2)
    if not any(c.services for c in connectors):
        _fail(f"{app} answers no service: nothing to serve over HTTP", 2)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        _fail(f"invalid setting LGSP_{str(first['loc'][0]).upper()}: {first['msg']}", 2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("aiokafka", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # the bootstrap admin serves services alone: sharing as it would be refused (it holds no grant)
    not_shared = sharing_refused(connectors, (state.given_id, state.given_secret))
    leases: Bus | None = None
    if not not_shared and any(c.datasets for c in connectors):
        leases = _connector_bus(settings) if settings.kafka_bootstrap else InProcessBus(settings.instance_id)
    sock = take_port(host, port)
    try:
        asyncio.run(
            serve_http(
                connectors,
                sock=sock,
                host=host,
                gateway=state.client(),
                url=state.url,
                bind=bind,
                freshness=settings.request_freshness_seconds,
                max_body_bytes=settings.max_body_bytes,
                leases=leases,
                share_now=share_now,
                not_shared=not_shared,
            )
        )
    finally:
        sock.close()
    console.print("stopped")


def _stop_on_signals() -> asyncio.Event:
    """Set on SIGINT or SIGTERM: a connector process stops gracefully on either."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    return stop


def _connector_bus(settings: Settings) -> "KafkaBus":
    from bus.kafka import KafkaBus  # aiokafka only for the commands that need it

    assert settings.kafka_bootstrap is not None
    return KafkaBus(
        settings.kafka_bootstrap,
        settings.instance_id,
        idempotence=settings.kafka_idempotence,
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
        login=settings.kafka_login(),
        replies=False,  # a connector answers; it never waits for replies
    )

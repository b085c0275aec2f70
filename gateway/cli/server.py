"""`lgsp up`, `lgsp db upgrade`, `lgsp keys rotate`: commands that run the platform or work on its database."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import CannotStartFilter, Extension
from gateway.bootstrap import prepare_schema
from gateway.cli.demo.clients import DEMO_CLIENTS, capture_demo_services, ensure_demo_clients
from gateway.cli.demo.message_keys import ensure_demo_message_keys
from gateway.cli.demo.tour import run_tour
from gateway.cli.local import database_errors, platform_database
from gateway.oauth.keys import KeyRing
from gateway.oauth.models import KeyPurpose
from gateway.platform import platform_app
from gateway.settings import Settings
from migrations import upgrade
from registry.clients.secrets import configure_hashing
from registry.demo.seed import seed_demo, seeder
from registry.events import discard
from registry.storage import create_engine, create_sessionmaker

db = typer.Typer(help="The platform's SQL database.", no_args_is_help=True)
keys = typer.Typer(help="The gateway's signing keys.", no_args_is_help=True)
seed = typer.Typer(help="Load data into the registry.", no_args_is_help=True)


def up(
    demo: Annotated[
        bool, typer.Option("--demo", help="seed the demo province and run its connectors")
    ] = False,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
) -> None:
    """Serve the gateway (embedded default: SQLite, the in-process bus and the warehouse sink in this process,
    unless LGSP_* settings say otherwise; LGSP_WAREHOUSE_EMBEDDED=off when `lgsp warehouse run` runs elsewhere)."""
    overrides: dict[str, object] = {"demo": True} if demo else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if "issuer" not in settings.model_fields_set and port != 8080:
        # the issuer is the platform's, never this process's port: every gateway must accept every token
        logging.getLogger("lgsp.gateway").warning(
            "LGSP_ISSUER is unset: tokens name the default issuer %s; set it to the platform's public URL",
            settings.issuer,
        )
    for chatty in ("httpx", "aiokafka", "alembic.runtime.migration"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    local = host in ("127.0.0.1", "0.0.0.0", "::", "localhost")
    url = f"http://{'localhost' if local else host}:{port}"
    extensions: list[Extension] = []
    if settings.demo and settings.tier == "national":  # as `lgsp federation up --demo` runs it
        from gateway.cli.demo.national import national_demo

        extensions.append(national_demo())
    elif (
        settings.demo
    ):  # the demo's samples load only for --demo; its banner tells where this process answers
        from gateway.cli.demo.province import demo_province

        extensions.append(demo_province(url=url))
    serve(platform_app(settings, extensions), host=host, port=port)


@asynccontextmanager
async def settings_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the settings' database (the embedded default's directory made first), disposed after."""
    if settings.effective_database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.effective_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def serve(app: FastAPI, *, host: str, port: int, log_level: str = "info") -> None:
    """Serve the gateway with uvicorn, tuned for the exchange path."""
    # Each exchange allocates many short-lived objects; collecting the youngest generation every 700
    # allocations (CPython's default) costs a tenth of the throughput and adds latency spikes.
    gc.set_threshold(50_000, 50, 100)
    logging.getLogger("uvicorn.error").addFilter(CannotStartFilter())
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def demo() -> None:
    """A scripted tour: register, grant, token, calls, refused calls, the log and its verification."""
    console = Console(highlight=False)
    intact = asyncio.run(run_tour(console))
    if not intact:
        raise typer.Exit(1)


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest migration, and make the first signing key (for LGSP_ISSUER)."""
    settings = Settings()

    async def run() -> None:
        async with settings_engine(settings) as engine:
            await upgrade(engine)
            # here rather than by the first gateway: gateways started together would each make one, and each
            # know only the keys there were when it loaded them, refusing the others' tokens
            await KeyRing.load(
                create_sessionmaker(engine), settings.token_ttl_seconds, settings.issuer,
                handover_seconds=settings.registry_refresh_seconds,
            )  # fmt: skip

    asyncio.run(run())
    typer.echo("database schema is up to date")


@seed.command("demo")
def seed_demo_command(
    rotate_secrets: Annotated[
        bool,
        typer.Option("--rotate-secrets", help="give the demo clients that exist already new secrets too"),
    ] = False,
    message_keys: Annotated[
        Path | None,
        typer.Option(
            "--message-keys",
            metavar="DIR",
            help="give each provider agency and the warehouse a signing key, registered, with the private keys "
            "written to DIR (connectors.jwks, warehouse.jwk: their LGSP_MESSAGE_KEY_FILE)",
        ),
    ] = None,
) -> None:
    """Load the demo province (Quảng Trị: agencies, databases, contracts) and its demo clients and grants;
    idempotent: a second run creates only what is missing and keeps existing clients' secrets unless
    --rotate-secrets. A new secret is printed once (the connectors' comes from LGSP_DEMO_CONNECTOR_SECRET when
    set)."""
    settings = Settings()

    async def run() -> tuple[str, dict[str, str], str | None]:
        configure_hashing(
            time_cost=settings.secret_hash_time_cost, memory_kib=settings.secret_hash_memory_kib
        )
        async with settings_engine(settings) as engine:
            await prepare_schema(engine, demo=True)
            async with create_sessionmaker(engine)() as session:
                report = await seed_demo(session)
                principal = seeder(settings.province)
                secrets = await ensure_demo_clients(session, discard, principal, rotate=rotate_secrets)
                await capture_demo_services(session, discard, principal)
                keys = None
                if message_keys is not None:
                    keys = await ensure_demo_message_keys(session, discard, principal, message_keys)
                return report.summary(), secrets, keys.summary() if keys else None

    summary, secrets, keys_summary = asyncio.run(run())
    typer.echo(summary)
    if keys_summary:
        typer.echo(keys_summary)
    kept = [client.client_id for client in DEMO_CLIENTS if client.client_id not in secrets]
    if kept:
        typer.echo(f"clients kept with their secrets: {', '.join(kept)} (--rotate-secrets for new ones)")
    for client_id, secret in secrets.items():
        typer.echo(f"client {client_id}, secret (shown this once):")
        typer.echo(secret)  # alone on its line: never cut, wrapped or styled


@seed.command("province")
def seed_province_command(
    name: Annotated[str, typer.Argument(help="a seed of the federation demo: national, H93, H38 or H51")],
) -> None:
    """Load the agencies and databases of one platform of the federation demo (registry/demo/provinces/);
    idempotent. `lgsp federation up --demo` runs it for each platform but the demo province."""
    from registry.demo import load_seed_province, seed_contract_files, seed_provinces

    try:
        province = load_seed_province(name)
    except KeyError:
        raise typer.BadParameter(f"no seed '{name[:40]}'; one of {', '.join(seed_provinces())}") from None
    settings = Settings()

    async def run() -> str:
        async with settings_engine(settings) as engine:
            await prepare_schema(engine, demo=True)
            async with create_sessionmaker(engine)() as session:
                contracts = seed_contract_files(name)
                return (await seed_demo(session, province=province, files=contracts)).summary()

    typer.echo(f"{province.name}: {asyncio.run(run())}")


@keys.command("rotate")
def keys_rotate(
    purpose: Annotated[
        KeyPurpose | None,
        typer.Option(help="rotate only the access-token keys or only the bus-envelope keys (default: both)"),
    ] = None,
) -> None:
    """Add new signing keys and retire the old ones, without restarting gateways: each publishes the new key at
    its next registry refresh (LGSP_REGISTRY_REFRESH_SECONDS) and signs with it one refresh interval after it was
    made. Retired keys stay published until what they signed has expired."""
    settings = Settings()
    url = platform_database(settings)

    async def run() -> list[str]:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                purposes = (purpose,) if purpose is not None else tuple(KeyPurpose)
                return await KeyRing.rotate(session, settings.issuer, purposes)
        finally:
            await engine.dispose()

    with database_errors(url):
        kids = asyncio.run(run())
    typer.echo(
        f"new key(s) {', '.join(kids)}: published by every gateway within "
        f"{settings.registry_refresh_seconds:g} s and signing {settings.registry_refresh_seconds:g} s from now; "
        "no restart needed"
    )

"""`lgsp`: serve the platform, manage the registry, call services, measure coverage.

Commands are imported when they run (gateway/cli/lazy.py): `lgsp --help` imports none of them.
"""

from functools import cache
from typing import Annotated, ClassVar

import typer

from gateway.cli.errors import LgspGroup
from gateway.cli.lazy import LazyCommand, factory


@factory
@cache
def contract_commands() -> typer.Typer:
    """`lgsp contract`: the local checks, and registering and verifying against a gateway or a connector."""
    from contracts.cli import app as contract_app
    from gateway.cli.verify import verify
    from registry import cli as registry_cli

    contract_app.command("register")(registry_cli.contract_register)
    contract_app.command("list")(registry_cli.contract_list)
    contract_app.command("verify")(verify)
    return contract_app


@factory
@cache
def bus_commands() -> typer.Typer:
    """`lgsp bus`: the ACLs (bus/cli.py) and the partitions of a service's topic (gateway/cli/bus.py)."""
    from bus.cli import bus
    from gateway.cli.bus import partitions

    bus.command("partitions")(partitions)
    return bus


class Lgsp(LgspGroup):
    lazy: ClassVar[dict[str, LazyCommand]] = {
        "agency": LazyCommand("registry.cli:agency", "Agencies (cơ quan, đơn vị), coded as in Decision 20/2020/QĐ-TTg."),
        "database": LazyCommand("registry.cli:database", "Specialised databases (CSDL chuyên ngành) owned by agencies."),
        "contract": LazyCommand(
            "gateway.cli.main:contract_commands",
            "Lint contract documents, check a new version's compatibility, register and verify them, export "
            "OpenAPI and AsyncAPI.",
        ),
        "service": LazyCommand("registry.cli:service", "Services of agencies: their maintenance windows and HTTP backends."),
        "client": LazyCommand("registry.cli:client", "OAuth2 clients of agencies; secrets are shown once."),
        "grant": LazyCommand("registry.cli:grant", "Grants: which client may call which service or publish which dataset."),
        "access": LazyCommand(
            "registry.access.cli:access",
            "Access requests: a consumer agency asks for a service or dataset, the provider approves or refuses "
            "in writing (Decree 194/2025/NĐ-CP Art. 16).",
        ),
        "catalogue": LazyCommand("registry.cli:catalogue", "The published services and datasets."),
        "call": LazyCommand("gateway.cli.call:call", "Call a service; prints the reply, or the problem on one line."),
        "connector": LazyCommand("gateway.cli.connector:connector", "Department connectors."),
        "up": LazyCommand("gateway.cli.server:up", "Serve the gateway (embedded default: SQLite and the in-process bus)."),
        "demo": LazyCommand("gateway.cli.server:demo", "A scripted tour of the platform, on its own temporary database."),
        "db": LazyCommand("gateway.cli.server:db", "The platform's SQL database."),
        "keys": LazyCommand("gateway.cli.server:keys", "The gateway's signing keys."),
        "seed": LazyCommand("gateway.cli.server:seed", "Load data into the registry."),
        "log": LazyCommand("gateway.cli.log:log", "The exchange log."),
        "bus": LazyCommand(
            "gateway.cli.main:bus_commands",
            "The Kafka event bus: the broker ACLs of each component's login, the partitions of a service.",
        ),
        "warehouse": LazyCommand("warehouse.cli:warehouse", "The shared data warehouse (Kho CSDL dùng chung)."),
        "replay": LazyCommand(
            "gateway.cli.replay:replay_app",
            "Replay captured exchanges against a gateway or a connector, and share them as cassettes.",
        ),
        "federation": LazyCommand(
            "federation.cli:federation",
            "The federation of platforms: join the national tier, decide on members, publish services nationally.",
        ),
        "coverage": LazyCommand(
            "gateway.cli.coverage:coverage", "Coverage of the province: databases connected and sharing."
        ),
    }  # fmt: skip


app = typer.Typer(
    name="lgsp",
    cls=Lgsp,
    help="LGSP Mock: an integration and data-sharing platform like Vietnam's LGSP and NDXP.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def connection(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option(envvar="LGSP_URL", help="the gateway's base URL")
    ] = "http://localhost:8080",
    client_id: Annotated[
        str | None, typer.Option(envvar="LGSP_CLIENT_ID", help="OAuth2 client id (default: the admin client)")
    ] = None,
    client_secret: Annotated[
        str | None, typer.Option(envvar="LGSP_CLIENT_SECRET", help="OAuth2 client secret", show_default=False)
    ] = None,
) -> None:
    """Commands that talk to a running gateway use --url and the client credentials."""
    from gateway.cli.state import cli_state

    ctx.obj = cli_state(url, client_id, client_secret)


def main() -> None:
    app()

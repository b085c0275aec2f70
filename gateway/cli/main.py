"""`lgsp`: serve the platform, manage the registry, call services, measure coverage."""

from typing import Annotated

import typer

from contracts.cli import app as contract_app
from gateway.cli.call import call
from gateway.cli.connector import connector as connector_app
from gateway.cli.coverage import coverage
from gateway.cli.errors import LgspGroup
from gateway.cli.log import log as log_app
from gateway.cli.replay import replay_app
from gateway.cli.server import register_server_commands
from gateway.cli.state import cli_state
from gateway.cli.verify import verify as contract_verify
from gateway.settings import Settings
from registry import cli as registry_cli
from warehouse.cli import warehouse

app = typer.Typer(
    name="lgsp",
    cls=LgspGroup,
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
    if client_id is None:
        # The bootstrap admin: configured, or the demo's admin/admin (which only a demo gateway accepts).
        settings = Settings()
        client_id = settings.admin_client_id or "admin"
        if client_secret is None:
            secret = settings.admin_client_secret
            client_secret = secret.get_secret_value() if secret else "admin"

    ctx.obj = cli_state(url, client_id, client_secret)


contract_app.command("register")(registry_cli.contract_register)
contract_app.command("list")(registry_cli.contract_list)
contract_app.command("verify")(contract_verify)
app.add_typer(registry_cli.agency, name="agency")
app.add_typer(registry_cli.database, name="database")
app.add_typer(contract_app, name="contract")
app.add_typer(registry_cli.client, name="client")
app.add_typer(registry_cli.grant, name="grant")
app.command("catalogue")(registry_cli.catalogue)
app.command("call")(call)
app.add_typer(connector_app, name="connector")
register_server_commands(app)
app.add_typer(log_app, name="log")
app.add_typer(warehouse, name="warehouse")
app.add_typer(replay_app, name="replay")
app.command("coverage")(coverage)


def main() -> None:
    app()

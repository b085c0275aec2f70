"""`lgsp bus`: the Kafka event bus as an operator sees it."""

import shlex
from typing import Annotated

import typer
from rich.console import Console

from bus.kafka_access import Role, acl_plan
from contracts.addresses import AGENCY_CODE
from contracts.errors import InvalidInput

bus = typer.Typer(help="The Kafka event bus.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)


@bus.command("acls")
def acls(
    role: Annotated[Role, typer.Argument(help="the component the login belongs to")],
    user: Annotated[str, typer.Option(help="its SASL/SCRAM user on the broker")],
    agency: Annotated[
        str | None, typer.Option(help="a connector's agency: it reads only this agency's requests")
    ] = None,
    bootstrap_server: Annotated[
        str, typer.Option(help="the broker, for the printed commands")
    ] = "localhost:9092",
    command_config: Annotated[
        str, typer.Option(help="client properties of an admin login, for the printed commands")
    ] = "admin.properties",
) -> None:
    """Print the `kafka-acls.sh` commands that confine one component's broker login to what it needs."""
    if not user.strip() or any(c.isspace() for c in user):
        raise InvalidInput(f"'{user}' is not a broker user name (no spaces)")
    if role is Role.CONNECTOR and agency is None:
        raise InvalidInput("a connector's ACLs are for one agency: add --agency CODE (e.g. --agency H50.20)")
    if agency is not None and not AGENCY_CODE.match(agency):
        raise InvalidInput(f"'{agency}' is not an agency code (Decision 20/2020/QĐ-TTg format, e.g. H50.20)")
    tool = ["kafka-acls.sh", "--bootstrap-server", bootstrap_server, "--command-config", command_config]
    for acl in acl_plan(role, user, agency):
        console.print(shlex.join([*tool, *acl.arguments()]), markup=False)

"""`lgsp federation`: join the national tier, decide on members (national operator), publish services nationally,
and this platform's federation key and status."""

import json
from pathlib import Path
from typing import Annotated

import typer

from federation.signing import load_or_create_key, public_keys
from registry.cli import Format, Json, OutputFormat, call, console, show

federation = typer.Typer(
    help="The federation of platforms: join the national tier, decide on members, publish services nationally.",
    no_args_is_help=True,
)
PATH = "/api/v1/federation"
MEMBER_COLUMNS = ("code", "name", "base_url", "status", "requested_at", "decided_by", "decided_at")
SERVICE_COLUMNS = ("address", "member", "title", "version", "published_at", "specification")
Code = Annotated[str, typer.Argument(help="the member's code, e.g. H50")]
Address = Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR of a service of this platform")]


def _json(ctx: typer.Context, as_json: bool) -> None:
    if as_json:
        ctx.obj.json_output = True


@federation.command("join")
def join(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="the name shown in the directory")] = None,
    as_json: Json = False,
) -> None:
    """Ask the national tier (LGSP_NATIONAL_URL of the gateway) to join; its operator approves or refuses."""
    _json(ctx, as_json)
    body = {"name": name} if name else {}
    show(ctx, call(ctx, lambda api: api.send("POST", f"{PATH}/join", json=body)), MEMBER_COLUMNS)


@federation.command("members")
def members(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, active, refused or suspended")] = None,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """(national tier) Every member and request to join."""
    _json(ctx, as_json)
    show(ctx, call(ctx, lambda api: api.get(f"{PATH}/members", status=status)), MEMBER_COLUMNS, output=output)


def _decide(action: str, summary: str) -> None:
    def decide(ctx: typer.Context, code: Code, as_json: Json = False) -> None:
        _json(ctx, as_json)
        data = call(ctx, lambda api: api.send("POST", f"{PATH}/members/{code}/{action}", json={}))
        show(ctx, data, MEMBER_COLUMNS)

    decide.__doc__ = summary
    federation.command(action)(decide)


_decide("approve", "(national tier) Approve a request to join: the member enters the directory.")
_decide("refuse", "(national tier) Refuse a request to join.")
_decide("suspend", "(national tier) Suspend a member: the others refuse it within one refresh period.")
_decide("resume", "(national tier) Resume a suspended member.")


@federation.command("publish")
def publish(ctx: typer.Context, address: Address, as_json: Json = False) -> None:
    """Share a service version beyond the province: it appears in every member's catalogue."""
    _json(ctx, as_json)
    body = {"address": address, "national": True}
    show(ctx, call(ctx, lambda api: api.send("POST", f"{PATH}/publications", json=body)), SERVICE_COLUMNS)


@federation.command("withdraw")
def withdraw(ctx: typer.Context, address: Address) -> None:
    """Stop sharing a service version beyond the province."""
    call(
        ctx,
        lambda api: api.send("POST", f"{PATH}/publications", json={"address": address, "national": False}),
    )
    console.print(f"{address} is no longer published nationally")


GRANT_COLUMNS = (
    "id",
    "client",
    "address",
    "fields",
    "calls_per_minute",
    "created_by",
    "created_at",
    "revoked_at",
)


@federation.command("grant")
def grant(
    ctx: typer.Context,
    client: Annotated[str, typer.Argument(help="a local client id, or MEMBER:CLIENT_ID of another member")],
    address: Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR: remote for a local client, else local")],
    field: Annotated[
        list[str] | None,
        typer.Option(
            help="an allowed field of the reply, as a JSON Pointer; repeatable (a remote client only)"
        ),
    ] = None,
    rate: Annotated[int | None, typer.Option(help="calls per minute (a remote client only)")] = None,
    as_json: Json = False,
) -> None:
    """Let a local client call out to a remote address, or a remote client call in to a local one (its reply cut
    down to --field, at most --rate calls a minute)."""
    _json(ctx, as_json)
    body = {"client": client, "address": address, "fields": field or [], "calls_per_minute": rate}
    show(ctx, call(ctx, lambda api: api.send("POST", f"{PATH}/grants", json=body)), GRANT_COLUMNS)


@federation.command("grants")
def grants(ctx: typer.Context, output: Format = OutputFormat.TABLE, as_json: Json = False) -> None:
    """(platform admin) Every federation grant of this platform."""
    _json(ctx, as_json)
    show(ctx, call(ctx, lambda api: api.get(f"{PATH}/grants")), GRANT_COLUMNS, output=output)


@federation.command("revoke-grant")
def revoke_grant(ctx: typer.Context, grant_id: Annotated[str, typer.Argument(help="the grant's id")]) -> None:
    """Revoke a federation grant: the next call it allowed is refused."""
    call(ctx, lambda api: api.send("POST", f"{PATH}/grants/{grant_id}/revoke", json={}))
    console.print(f"federation grant {grant_id} revoked")


@federation.command("report")
def report(ctx: typer.Context, as_json: Json = False) -> None:
    """Send this platform's coverage to the national tier now, signed (it also does so every
    LGSP_FEDERATION_REPORT_SECONDS)."""
    _json(ctx, as_json)
    sent = call(ctx, lambda api: api.send("POST", f"{PATH}/reports/send", json={}))
    if not ctx.obj.json_output:
        for kind in ("agency_coverage", "database_coverage"):
            figure = sent[kind]
            sent[kind] = f"{figure['covered']}/{figure['total']} ({figure['ratio']:.1%})"
    columns = (
        "member",
        "reported_at",
        "received_at",
        "agency_coverage",
        "database_coverage",
        "federation_calls",
    )
    show(ctx, sent, columns)


@federation.command("catalogue")
def catalogue(ctx: typer.Context, output: Format = OutputFormat.TABLE, as_json: Json = False) -> None:
    """The remote services: what other members share nationally, from the verified directory."""
    _json(ctx, as_json)
    show(ctx, call(ctx, lambda api: api.get_public(f"{PATH}/catalogue")), SERVICE_COLUMNS, output=output)


@federation.command("status")
def status(ctx: typer.Context) -> None:
    """This platform's tier, its status in the directory, and the directory's version and source."""
    typer.echo(json.dumps(call(ctx, lambda api: api.get(f"{PATH}/status")), ensure_ascii=False, indent=2))


@federation.command("key")
def key(
    data_dir: Annotated[
        Path, typer.Option(envvar="LGSP_DATA_DIR", help="the platform's data directory")
    ] = Path(".lgsp"),
    key_file: Annotated[
        Path | None,
        typer.Option(envvar="LGSP_FEDERATION_KEY_FILE", help="the key file, if not in the data directory"),
    ] = None,
) -> None:
    """Print this platform's public federation key as a JWK Set (made on first use; the private half stays in
    its file, mode 600). The national tier's is what members pin in LGSP_NATIONAL_KEY_FILE."""
    path = key_file or data_dir / "federation-key.jwk"
    try:
        found = load_or_create_key(path)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"the federation key {path}: {exc}") from None
    typer.echo(json.dumps({"keys": public_keys(found)}, indent=2))


@federation.command("up")
def up(
    demo: Annotated[
        bool, typer.Option("--demo", help="the national tier and the four seed provinces")
    ] = False,
    base_port: Annotated[
        int, typer.Option(min=1, max=65531, help="the national tier's port; the provinces take the next four")
    ] = 8080,
    data_dir: Annotated[
        Path, typer.Option(help="one data directory per platform under it; a second start reuses them")
    ] = Path(".lgsp-federation"),
) -> None:
    """Run a federation on this machine, each platform its own `lgsp up` process; Ctrl+C stops them all."""
    if not demo:
        raise typer.BadParameter("only the demo federation can be started here: add --demo")
    from federation.demo.cli import run_demo

    run_demo(base_port, data_dir)

"""`lgsp service bind|unbind`: a service major served by an HTTP backend, over the REST API.

Secrets never come from the command line alone (it stays in shell histories and process lists): the password,
the auth header's value or the OAuth2 client secret is read from `LGSP_BACKEND_SECRET`, else asked for."""

import asyncio
import json
import os
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(highlight=False)
SECRET_ENV = "LGSP_BACKEND_SECRET"
Address = Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR, e.g. H50.20/tra-cuu-thua-dat/v1")]


def _usage(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _path(address: str) -> str:
    from contracts.addresses import Address as Parsed
    from contracts.errors import InvalidInput

    try:
        parsed = Parsed.parse(address)
    except InvalidInput as exc:
        raise _usage(exc.detail) from None
    return f"/api/v1/services/{parsed.agency}/{parsed.code}/v{parsed.major}/backend"


def _send(ctx: typer.Context, method: str, path: str, body: Any = None) -> Any:
    async def run() -> Any:
        async with ctx.obj.connect() as api:
            return await api.send(method, path, json=body)

    return asyncio.run(run())


def _secret(what: str) -> str:
    secret = os.environ.get(SECRET_ENV) or typer.prompt(what, hide_input=True, default="", show_default=False)
    if not secret:
        raise _usage(f"no {what}: set {SECRET_ENV} or type it when asked")
    return str(secret)


def _auth(
    basic: str | None, header: str | None, token_url: str | None, client_id: str | None, scope: str | None
) -> dict[str, Any]:
    chosen = [name for name, value in (("--basic", basic), ("--auth-header", header), ("--oauth2-token-url", token_url)) if value]  # fmt: skip
    if len(chosen) > 1:
        raise _usage(f"give one kind of auth, not {' and '.join(chosen)}")
    if (token_url is None) != (client_id is None):
        raise _usage("OAuth2 needs both --oauth2-token-url and --oauth2-client-id")
    if basic:
        return {"type": "basic", "username": basic, "password": _secret("backend password")}
    if header:
        return {"type": "header", "name": header, "value": _secret(f"value of {header}")}
    if token_url and client_id:
        auth = {"type": "oauth2", "token_url": token_url, "client_id": client_id}
        return auth | {"client_secret": _secret("OAuth2 client secret")} | ({"scope": scope} if scope else {})
    return {"type": "none"}


def bind(
    ctx: typer.Context,
    address: Address,
    url: Annotated[str, typer.Argument(help="the backend's URL (http or https, in LGSP_BACKEND_NETWORKS)")],
    timeout: Annotated[float, typer.Option(help="seconds the backend has to answer")] = 10.0,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", help="a header sent on every call, NAME:VALUE (not secret)"),
    ] = None,
    basic: Annotated[str | None, typer.Option(help="HTTP Basic with this user name")] = None,
    auth_header: Annotated[
        str | None, typer.Option("--auth-header", help="a secret header of this name (e.g. X-Api-Key)")
    ] = None,
    token_url: Annotated[
        str | None, typer.Option("--oauth2-token-url", help="OAuth2 client credentials")
    ] = None,
    client_id: Annotated[str | None, typer.Option("--oauth2-client-id")] = None,
    scope: Annotated[str | None, typer.Option("--oauth2-scope")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Serve a service's calls from an HTTP backend: the gateway POSTs each request's JSON to URL. The secret
    of --basic, --auth-header or OAuth2 is read from LGSP_BACKEND_SECRET, else asked for; it is never shown."""
    path = _path(address)
    headers = {}
    for given in header or []:
        name, sep, value = given.partition(":")
        if not sep or not name.strip():
            raise _usage(f"--header '{given}' is not NAME:VALUE")
        headers[name.strip()] = value.strip()
    body = {"url": url, "timeout_seconds": timeout, "headers": headers}
    body["auth"] = _auth(basic, auth_header, token_url, client_id, scope)
    bound = _send(ctx, "PUT", path, body)
    if as_json or ctx.obj.json_output:
        typer.echo(json.dumps(bound, ensure_ascii=False, indent=2))
    else:
        console.print(f"{bound['address']} → {bound['url']} (auth: {bound['auth']['type']})", markup=False)


def unbind(ctx: typer.Context, address: Address) -> None:
    """Stop serving a service from its HTTP backend."""
    _send(ctx, "DELETE", _path(address))
    console.print(f"{address}: unbound", markup=False)

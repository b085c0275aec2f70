"""`lgsp access request|list|show|approve|refuse|withdraw`: access requests over the REST API."""

from typing import Annotated, Any

import typer

from registry.cli import Format, Json, OutputFormat, call, console, show

access = typer.Typer(
    help="Access requests: a consumer agency asks for a service or dataset, the provider approves or refuses "
    "in writing (Decree 194/2025/NĐ-CP Art. 16).",
    no_args_is_help=True,
)
PATH = "/api/v1/access-requests"
COLUMNS = ("id", "status", "client_id", "address", "purpose", "calls_per_minute", "valid_until", "created_at")
DETAIL = (
    "id",
    "status",
    "client_id",
    "consumer_agency",
    "provider_agency",
    "address",
    "purpose",
    "fields",
    "calls_per_minute",
    "legal_basis",
    "valid_from",
    "valid_until",
    "created_at",
    "created_by",
    "decided_at",
    "decided_by",
    "decision_reason",
    "decision_legal_basis",
    "grant_id",
)
RequestId = Annotated[str, typer.Argument(help="the access request's id")]
Fields = Annotated[list[str] | None, typer.Option("--field", help="a field, as a JSON Pointer; repeatable")]
Rate = Annotated[int | None, typer.Option("--rate", help="calls per minute")]


def _json(ctx: typer.Context, as_json: bool) -> None:
    if as_json:
        ctx.obj.json_output = True


def _show_one(ctx: typer.Context, data: dict[str, Any]) -> None:
    """One request as `field value` lines (its texts are too long for a row), or as JSON."""
    if ctx.obj.json_output:
        show(ctx, data, DETAIL)
        return
    width = max(len(column) for column in DETAIL)
    for column in DETAIL:
        value = data.get(column)
        text = "—" if value is None else ", ".join(value) if isinstance(value, list) else str(value)
        console.print(f"{column:<{width}}  {text}", markup=False, highlight=False, soft_wrap=True)


@access.command("request")
def access_request(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR, e.g. H50.20/tra-cuu-thua-dat/v1")],
    client_id: Annotated[str, typer.Option("--client", help="the client of your agency the access is for")],
    purpose: Annotated[str, typer.Option(help="why the client needs it")],
    legal_basis: Annotated[str, typer.Option(help="the legal ground for asking, e.g. a decree's article")],
    field: Fields = None,
    rate: Rate = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="from (ISO 8601 with zone)")] = None,
    until: Annotated[str | None, typer.Option(help="until (ISO 8601 with zone)")] = None,
    as_json: Json = False,
) -> None:
    """Ask the provider for access to a service or dataset; the request waits for its decision."""
    _json(ctx, as_json)
    body = {
        "client_id": client_id,
        "address": address,
        "purpose": purpose,
        "legal_basis": legal_basis,
        "fields": field or [],
        "calls_per_minute": rate,
        "valid_from": valid_from,
        "valid_until": until,
    }
    _show_one(ctx, call(ctx, lambda api: api.send("POST", PATH, json=body)))


@access.command("list")
def access_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, approved, refused or withdrawn")] = None,
    agency: Annotated[str | None, typer.Option(help="only where this agency asks or provides")] = None,
    offset: int = 0,
    limit: int = 100,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The requests your agency made or must decide, newest first."""
    _json(ctx, as_json)
    data = call(ctx, lambda api: api.get(PATH, status=status, agency=agency, offset=offset, limit=limit))
    show(ctx, data, COLUMNS, output=output)


@access.command("show")
def access_show(ctx: typer.Context, request_id: RequestId, as_json: Json = False) -> None:
    """One request, with its decision (a refusal's reason and legal basis)."""
    _json(ctx, as_json)
    _show_one(ctx, call(ctx, lambda api: api.get(f"{PATH}/{request_id}")))


@access.command("approve")
def access_approve(
    ctx: typer.Context,
    request_id: RequestId,
    field: Fields = None,
    rate: Rate = None,
    until: Annotated[str | None, typer.Option(help="a sooner end (ISO 8601 with zone)")] = None,
    as_json: Json = False,
) -> None:
    """Approve as asked, or narrower (some of the fields, a lower rate, a sooner end): the grant is made."""
    _json(ctx, as_json)
    body: dict[str, Any] = {"fields": field, "calls_per_minute": rate, "valid_until": until}
    body = {name: value for name, value in body.items() if value is not None}
    _show_one(ctx, call(ctx, lambda api: api.send("POST", f"{PATH}/{request_id}/approve", json=body)))


@access.command("refuse")
def access_refuse(
    ctx: typer.Context,
    request_id: RequestId,
    reason: Annotated[str, typer.Option(help="why, for the requester to read")],
    legal_basis: Annotated[str, typer.Option(help="the legal ground of the refusal")],
    as_json: Json = False,
) -> None:
    """Refuse in writing: the reason and its legal basis are both required (Decree 194/2025/NĐ-CP Art. 16)."""
    _json(ctx, as_json)
    body = {"reason": reason, "legal_basis": legal_basis}
    _show_one(ctx, call(ctx, lambda api: api.send("POST", f"{PATH}/{request_id}/refuse", json=body)))


@access.command("withdraw")
def access_withdraw(ctx: typer.Context, request_id: RequestId) -> None:
    """Take your request back before it is decided."""
    call(ctx, lambda api: api.send("POST", f"{PATH}/{request_id}/withdraw", json={}))
    console.print(f"access request {request_id} withdrawn")

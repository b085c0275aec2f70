"""`lgsp agency|database|contract|service|client|grant|catalogue`: the registry from the command line, over the
REST API.

The commands talk to a running gateway through `ctx.obj` (a `CliState`), which the `lgsp` composition root
provides, so that every write is authorised exactly as it is over HTTP.
"""

import asyncio
import csv
import json
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from registry.backends import cli as backend_cli

console = Console()


class RegistryApi(Protocol):
    async def get(self, path: str, **params: Any) -> Any: ...

    async def get_public(self, path: str, **params: Any) -> Any: ...

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> Any: ...


@dataclass
class CliState:
    connect: Callable[[], AbstractAsyncContextManager[RegistryApi]]
    json_output: bool = False


def call(ctx: typer.Context, action: Callable[[RegistryApi], Awaitable[Any]]) -> Any:
    state: CliState = ctx.obj

    async def run() -> Any:
        async with state.connect() as api:
            return await action(api)

    return asyncio.run(run())


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


Format = Annotated[OutputFormat, typer.Option("--format", help="table, json or csv")]
Json = Annotated[bool, typer.Option("--json", help="print JSON (the same as --format json)")]

# Columns that identify a row: never cut, wrapped or folded.
IDENTIFIERS = frozenset(
    {"id", "code", "agency", "address", "client_id", "version", "latest_version", "database"}
)
NARROWEST = 10  # the width below which another column is not worth a table: the rows are listed instead


def print_rows(
    out: Console,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    identifiers: Iterable[str] = IDENTIFIERS,
    title: str | None = None,
    justify: dict[str, str] | None = None,
) -> None:
    """Rows of plain text as a table whose identifier columns are as wide as their longest value and whose other
    columns wrap; in a terminal too narrow for that, each row as `column value` lines. Nothing is cut off."""
    keep = set(identifiers)
    widths = [max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)]
    needed = (
        3 * len(columns)
        + 1
        + sum(
            width if column in keep else min(width, NARROWEST)
            for column, width in zip(columns, widths, strict=True)
        )
    )
    if needed > out.width:
        if title:
            out.print(title, markup=False)
        label = max(len(column) for column in columns)
        for row in rows:
            for column, cell in zip(columns, row, strict=True):
                out.print(f"{column:<{label}}  {cell}", markup=False, highlight=False, soft_wrap=True)
            out.print()
        return
    grid = Table(title=title, title_justify="left")
    for column, width in zip(columns, widths, strict=True):
        align: Any = (justify or {}).get(column, "left")
        if column in keep:
            grid.add_column(column, no_wrap=True, min_width=width, overflow="fold", justify=align)
        else:
            grid.add_column(column, overflow="fold", justify=align)
    for row in rows:
        grid.add_row(*(Text(cell) for cell in row))
    out.print(grid)


def show(
    ctx: typer.Context,
    data: Any,
    columns: Sequence[str],
    title: str | None = None,
    output: OutputFormat = OutputFormat.TABLE,
) -> None:
    """Print `data` (a page's items, a list, or one object) as a table of `columns`, as JSON, or as CSV."""
    state: CliState = ctx.obj
    if state.json_output or output is OutputFormat.JSON:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    rows = data["items"] if isinstance(data, dict) and "items" in data else data
    rows = rows if isinstance(rows, list) else [rows]
    if output is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_text(row.get(column)) for column in columns] for row in rows)
        return
    print_rows(
        console, columns, [[_text(row.get(column)) for column in columns] for row in rows], title=title
    )
    if isinstance(data, dict) and "total" in data and data["total"] > len(rows):
        console.print(f"[dim]{len(rows)} of {data['total']} shown (use --offset/--limit)[/dim]")


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


agency = typer.Typer(
    help="Agencies (cơ quan, đơn vị), coded as in Decision 20/2020/QĐ-TTg.", no_args_is_help=True
)
database = typer.Typer(
    help="Specialised databases (CSDL chuyên ngành) owned by agencies.", no_args_is_help=True
)
client = typer.Typer(help="OAuth2 clients of agencies; secrets are shown once.", no_args_is_help=True)
grant = typer.Typer(
    help="Grants: which client may call which service or publish which dataset.", no_args_is_help=True
)
service = typer.Typer(
    help="Services of agencies: their maintenance windows and HTTP backends.", no_args_is_help=True
)
service.command("bind")(backend_cli.bind)
service.command("unbind")(backend_cli.unbind)

AGENCY_COLUMNS = ("code", "name", "tier", "parent_code", "merged_into")
DATABASE_COLUMNS = ("agency", "code", "name", "status")
CLIENT_COLUMNS = ("client_id", "agency", "name", "role", "disabled")
GRANT_COLUMNS = ("id", "client_id", "address", "purpose", "calls_per_minute", "valid_until", "active")


def _json_flag(ctx: typer.Context, as_json: bool) -> None:
    if as_json:
        ctx.obj.json_output = True


@agency.command("list")
def agency_list(
    ctx: typer.Context,
    parent: Annotated[str | None, typer.Option(help="only the agencies under this one")] = None,
    offset: int = 0,
    limit: int = 100,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The registered agencies."""
    _json_flag(ctx, as_json)
    data = call(
        ctx, lambda api: api.get_public("/api/v1/agencies", parent=parent, offset=offset, limit=limit)
    )
    show(ctx, data, AGENCY_COLUMNS, output=output)


@agency.command("show")
def agency_show(ctx: typer.Context, code: str, as_json: Json = False) -> None:
    """One agency."""
    _json_flag(ctx, as_json)
    show(ctx, call(ctx, lambda api: api.get_public(f"/api/v1/agencies/{code}")), AGENCY_COLUMNS)


@agency.command("create")
def agency_create(
    ctx: typer.Context,
    code: str,
    name: str,
    tier: Annotated[
        str, typer.Option(help="national, ministry, province, department or district")
    ] = "department",
    name_en: str | None = None,
    as_json: Json = False,
) -> None:
    """Register an agency under its Decision 20/2020/QĐ-TTg code (the parent is implied by the code)."""
    _json_flag(ctx, as_json)
    body = {"code": code, "name": name, "tier": tier, **({"name_en": name_en} if name_en else {})}
    show(ctx, call(ctx, lambda api: api.send("POST", "/api/v1/agencies", json=body)), AGENCY_COLUMNS)


@agency.command("delete")
def agency_delete(ctx: typer.Context, code: str) -> None:
    """Delete an agency that has no databases, clients or sub-agencies."""
    call(ctx, lambda api: api.send("DELETE", f"/api/v1/agencies/{code}"))
    console.print(f"agency {code} deleted")


CHANGE_COLUMNS = ("kind", "at", "agencies", "successor", "databases", "clients", "demoted")
SunsetDays = Annotated[
    int, typer.Option("--sunset-days", help="days the former addresses keep answering, deprecated")
]
At = Annotated[
    str, typer.Option("--at", help="the date it took effect (YYYY-MM-DD, Vietnam time) or an ISO time")
]


def _show_change(ctx: typer.Context, data: dict[str, Any]) -> None:
    show(ctx, data, CHANGE_COLUMNS)
    if ctx.obj.json_output:
        return
    for alias in data["aliases"]:
        console.print(f"{alias['address']} -> {alias['successor']} until {alias['sunset_at']}")


@agency.command("merge")
def agency_merge(
    ctx: typer.Context,
    old: Annotated[list[str], typer.Argument(help="the agencies merged")],
    into: Annotated[str, typer.Option("--into", help="the successor (registered first)")],
    at: At,
    sunset_days: SunsetDays = 180,
    as_json: Json = False,
) -> None:
    """Merge agencies into a successor at a date: databases, contracts, clients and grants pass to it."""
    _json_flag(ctx, as_json)
    body = {"from": old, "into": into, "at": at, "sunset_days": sunset_days}
    _show_change(ctx, call(ctx, lambda api: api.send("POST", "/api/v1/agencies/merge", json=body)))


@agency.command("rename")
def agency_rename(
    ctx: typer.Context,
    code: str,
    name: Annotated[str, typer.Option("--name")],
    at: At,
    name_en: Annotated[str | None, typer.Option("--name-en")] = None,
    as_json: Json = False,
) -> None:
    """Rename an agency from a date (coverage before it shows the former name)."""
    _json_flag(ctx, as_json)
    body = {"name": name, "at": at, **({"name_en": name_en} if name_en else {})}
    _show_change(ctx, call(ctx, lambda api: api.send("POST", f"/api/v1/agencies/{code}/rename", json=body)))


HISTORY_COLUMNS = ("at", "kind", "agency", "agency_name", "successor", "database", "former_name")
_VIETNAM = timezone(timedelta(hours=7))


def _vietnam_time(value: str) -> str:
    """dd/mm/yyyy, Vietnam time, with the time of day only when it is not midnight."""
    moment = datetime.fromisoformat(value).astimezone(_VIETNAM)
    return moment.strftime("%d/%m/%Y" if moment.time() == datetime.min.time() else "%d/%m/%Y %H:%M")


@agency.command("history")
def agency_history(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="only the steps this agency took part in")] = None,
    offset: int = 0,
    limit: int = 100,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The reorganisation: merges, renames and database moves, each with the date it took effect."""
    _json_flag(ctx, as_json)
    if code is None:
        data = call(ctx, lambda api: api.get_public("/api/v1/reorganisations", offset=offset, limit=limit))
        title = "Reorganisation"
    else:
        data = call(ctx, lambda api: api.get_public(f"/api/v1/agencies/{code}/succession"))
        if ctx.obj.json_output or output is OutputFormat.JSON:
            show(ctx, data, HISTORY_COLUMNS, output=output)
            return
        merged = f", merged into {data['merged_into']}" if data["merged_into"] else ""
        title = f"{data['code']} {data['name']}{merged}; its databases are held by {data['held_by']} today"
        data = {"items": data["changes"], "total": len(data["changes"])}
    if not (ctx.obj.json_output or output is OutputFormat.JSON):
        data = {**data, "items": [{**item, "at": _vietnam_time(item["at"])} for item in data["items"]]}
    show(ctx, data, HISTORY_COLUMNS, title=title, output=output)


@database.command("list")
def database_list(
    ctx: typer.Context,
    agency_code: Annotated[str | None, typer.Option("--agency")] = None,
    status: Annotated[str | None, typer.Option(help="planned, active or retired")] = None,
    offset: int = 0,
    limit: int = 100,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The registered databases."""
    _json_flag(ctx, as_json)
    data = call(
        ctx,
        lambda api: api.get_public(
            "/api/v1/databases", agency=agency_code, status=status, offset=offset, limit=limit
        ),
    )
    show(ctx, data, DATABASE_COLUMNS, output=output)


@database.command("show")
def database_show(ctx: typer.Context, agency_code: str, code: str, as_json: Json = False) -> None:
    """One database."""
    _json_flag(ctx, as_json)
    show(
        ctx,
        call(ctx, lambda api: api.get_public(f"/api/v1/databases/{agency_code}/{code}")),
        DATABASE_COLUMNS,
    )


@database.command("create")
def database_create(
    ctx: typer.Context,
    agency_code: str,
    code: str,
    name: str,
    description: str = "",
    status: Annotated[str, typer.Option(help="planned, active or retired")] = "active",
    as_json: Json = False,
) -> None:
    """Register a database of an agency (planned ones count in coverage as registered, not connected)."""
    _json_flag(ctx, as_json)
    body = {"agency": agency_code, "code": code, "name": name, "description": description, "status": status}
    show(ctx, call(ctx, lambda api: api.send("POST", "/api/v1/databases", json=body)), DATABASE_COLUMNS)


@database.command("move")
def database_move(
    ctx: typer.Context,
    database_ref: Annotated[
        str, typer.Argument(metavar="AGENCY/CODE", help="the database, as H50.20/csdl-dat-dai")
    ],
    to: Annotated[str, typer.Option("--to", help="the agency it passes to")],
    at: At,
    sunset_days: SunsetDays = 180,
    as_json: Json = False,
) -> None:
    """Move a database, with its contracts, to another agency at a date."""
    _json_flag(ctx, as_json)
    agency_code, slash, code = database_ref.partition("/")
    if not slash or not agency_code or not code:
        raise _usage(f"name the database as AGENCY/CODE (e.g. H50.20/csdl-dat-dai), not '{database_ref}'")
    body = {"to": to, "at": at, "sunset_days": sunset_days}
    path = f"/api/v1/databases/{agency_code}/{code}/move"
    _show_change(ctx, call(ctx, lambda api: api.send("POST", path, json=body)))


@database.command("retire")
def database_retire(ctx: typer.Context, agency_code: str, code: str) -> None:
    """Mark a database retired: it no longer counts in coverage."""
    path = f"/api/v1/databases/{agency_code}/{code}"
    call(ctx, lambda api: api.send("PATCH", path, json={"status": "retired"}))
    console.print(f"database {agency_code}/{code} retired")


@database.command("delete")
def database_delete(ctx: typer.Context, agency_code: str, code: str) -> None:
    """Delete a database that has no contracts."""
    call(ctx, lambda api: api.send("DELETE", f"/api/v1/databases/{agency_code}/{code}"))
    console.print(f"database {agency_code}/{code} deleted")


def contract_register(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="contract documents (YAML or JSON)")],
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """Register contract versions with the gateway (checked, and refused if they break compatibility).

    A version registered before with the same document is reported as unchanged. Exit status: 0 registered or
    unchanged, 1 refused (invalid, or breaking compatibility), 2 a file that cannot be read."""
    _json_flag(ctx, as_json)
    documents = [(path, _read(path)) for path in files]  # every file read before anything is registered
    results = []
    for path, content in documents:
        media_type = "application/json" if path.suffix == ".json" else "application/yaml"

        async def register(
            api: RegistryApi, content: bytes = content, media_type: str = media_type
        ) -> dict[str, Any]:
            existed = await _registered_before(api, content)
            headers = {"Content-Type": media_type}
            registered = await api.send("POST", "/api/v1/contracts", content=content, headers=headers)
            return {**registered, "result": "unchanged" if existed else "registered"}

        results.append(call(ctx, register))
    show(ctx, results, ("address", "version", "result", "kind", "title", "status"), output=output)


async def _registered_before(api: RegistryApi, content: bytes) -> bool:
    """Whether the version this document declares is registered already (the gateway then answers 200 for
    the same document, and refuses a different one)."""
    from contracts.errors import LgspError
    from contracts.loading import parse_document

    try:
        raw = parse_document(content)
        kind = {"service": "services", "dataset": "datasets"}[raw["kind"]]
        path = f"/api/v1/{kind}/{raw['provider']}/{raw['code']}/{raw['version']}"
    except (LgspError, KeyError, TypeError):
        return False  # the gateway says what is wrong with it
    try:
        await api.get_public(path)
    except Exception as exc:  # the client's own error type: a 404 means not registered
        if getattr(exc, "status", None) == 404:
            return False
        raise
    return True


def contract_list(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option(help="services or datasets")] = "services",
    agency_code: Annotated[str | None, typer.Option("--agency", help="only this provider's")] = None,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """List the registered services (or datasets) with their newest version."""
    _json_flag(ctx, as_json)
    data = call(ctx, lambda api: api.get_public(f"/api/v1/{kind}", agency=agency_code))
    show(ctx, data, ("address", "latest_version", "database", "capture_payloads"), output=output)


def _usage(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@service.command("maintenance")
def service_maintenance(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR, e.g. H50.20/tra-cuu-thua-dat/v1")],
    starts: Annotated[
        str | None,
        typer.Option("--from", help="when it starts (ISO 8601 with zone, e.g. 2026-12-02T22:00+07:00)"),
    ] = None,
    until: Annotated[str | None, typer.Option(help="when it ends (ISO 8601 with zone)")] = None,
    notice: Annotated[
        str | None, typer.Option(help="what consumers are told (at most 500 characters)")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="withdraw the announced window")] = False,
    as_json: Json = False,
) -> None:
    """Announce a service's maintenance window, or withdraw it with --clear. Calls inside the window are
    answered 503 with Retry-After and the notice; the catalogue and the service's OpenAPI show it until it
    ends. A window that has ended needs nothing done."""
    from contracts.addresses import Address
    from contracts.errors import InvalidInput

    _json_flag(ctx, as_json)
    try:
        parsed = Address.parse(address)
    except InvalidInput as exc:
        raise _usage(exc.detail) from None
    given = [starts, until, notice]
    if clear and any(value is not None for value in given):
        raise _usage("--clear takes no --from, --until or --notice")
    if not clear and any(value is None for value in given):
        raise _usage("give --from, --until and --notice, or --clear")
    window = None if clear else {"from": starts, "until": until, "notice": notice}
    path = f"/api/v1/services/{parsed.agency}/{parsed.code}/v{parsed.major}"
    updated = call(ctx, lambda api: api.send("PATCH", path, json={"maintenance": window}))
    if ctx.obj.json_output:
        typer.echo(json.dumps(updated, ensure_ascii=False, indent=2))
    elif clear:
        console.print(f"{parsed}: maintenance window cleared", markup=False)
    else:
        shown = updated.get("maintenance") or {}
        console.print(
            f"{parsed}: under maintenance from {shown.get('from')} until {shown.get('until')}: {shown.get('notice')}",
            markup=False,
        )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:  # one line, exit 2, as `lgsp contract lint` says it
        typer.echo(f"error: cannot read {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


@client.command("list")
def client_list(
    ctx: typer.Context,
    agency_code: Annotated[str | None, typer.Option("--agency", help="only this agency's clients")] = None,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The clients you may see (never their secrets)."""
    _json_flag(ctx, as_json)
    data = call(ctx, lambda api: api.get("/api/v1/clients", agency=agency_code))
    show(ctx, data, CLIENT_COLUMNS, output=output)


@client.command("create")
def client_create(
    ctx: typer.Context,
    agency_code: Annotated[str, typer.Argument(help="the agency the client belongs to, e.g. H50.01")],
    name: Annotated[str, typer.Argument(help="what the client is, e.g. Cổng dịch vụ công")],
    client_id: Annotated[
        str | None, typer.Option("--id", help="the client id to use (default: one is generated)")
    ] = None,
    role: Annotated[str, typer.Option(help="consumer, agency_admin or admin")] = "consumer",
    as_json: Json = False,
) -> None:
    """Create a client; its secret is printed this once, on a line of its own."""
    _json_flag(ctx, as_json)
    body = {
        "agency": agency_code,
        "name": name,
        "role": role,
        **({"client_id": client_id} if client_id else {}),
    }
    created = call(ctx, lambda api: api.send("POST", "/api/v1/clients", json=body))
    _show_secret(
        ctx, created, f"client {created['client_id']} created ({created['role']} of {created['agency']})"
    )


def _show_secret(ctx: typer.Context, data: dict[str, Any], headline: str) -> None:
    """The one-time secret exactly as issued: plain text on a line of its own, never a table cell, never
    wrapped, cut or styled, whatever the terminal's width or when piped."""
    if ctx.obj.json_output:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(headline)
    typer.echo("client secret (shown this once; the platform keeps only a hash):")
    typer.echo(data["client_secret"])


def _set_disabled(ctx: typer.Context, client_id: str, disabled: bool) -> None:
    call(ctx, lambda api: api.send("PATCH", f"/api/v1/clients/{client_id}", json={"disabled": disabled}))
    console.print(f"client {client_id} {'disabled' if disabled else 'enabled'}")


ClientId = Annotated[str, typer.Argument(help="the client id, e.g. cong-dvc")]


@client.command("disable")
def client_disable(ctx: typer.Context, client_id: ClientId) -> None:
    """Stop the client from taking tokens (its grants stay); `lgsp client enable` undoes it."""
    _set_disabled(ctx, client_id, True)


@client.command("enable")
def client_enable(ctx: typer.Context, client_id: ClientId) -> None:
    """Let a disabled client take tokens and call again."""
    _set_disabled(ctx, client_id, False)


@client.command("rotate-secret")
def client_rotate(ctx: typer.Context, client_id: ClientId, as_json: Json = False) -> None:
    """Issue a new secret (printed this once, on a line of its own); the old one stops working at once."""
    _json_flag(ctx, as_json)
    rotated = call(ctx, lambda api: api.send("POST", f"/api/v1/clients/{client_id}/secret"))
    _show_secret(ctx, rotated, f"client {client_id}: new secret issued; the old one no longer works")


@client.command("delete")
def client_delete(ctx: typer.Context, client_id: ClientId) -> None:
    """Delete a client that holds no grants (one that does: disable it instead)."""
    call(ctx, lambda api: api.send("DELETE", f"/api/v1/clients/{client_id}"))
    console.print(f"client {client_id} deleted")


@grant.command("create")
def grant_create(
    ctx: typer.Context,
    client_id: str,
    address: Annotated[str, typer.Argument(help="AGENCY/CODE/vMAJOR, e.g. H50.20/tra-cuu-thua-dat/v1")],
    purpose: Annotated[str, typer.Option(help="why the client needs it (Decree 194/2025/NĐ-CP Art. 16)")],
    field: Annotated[
        list[str] | None, typer.Option(help="an allowed field, as a JSON Pointer; repeatable")
    ] = None,
    rate: Annotated[int | None, typer.Option(help="calls per minute")] = None,
    until: Annotated[str | None, typer.Option(help="valid until (ISO 8601 with zone)")] = None,
    as_json: Json = False,
) -> None:
    """Allow a client to call a service (or publish a dataset), for a stated purpose."""
    _json_flag(ctx, as_json)
    body = {
        "client_id": client_id,
        "address": address,
        "purpose": purpose,
        "fields": field or [],
        "calls_per_minute": rate,
        "valid_until": until,
    }
    show(ctx, call(ctx, lambda api: api.send("POST", "/api/v1/grants", json=body)), GRANT_COLUMNS)


@grant.command("list")
def grant_list(
    ctx: typer.Context,
    client_id: Annotated[str | None, typer.Option("--client", help="only this client's grants")] = None,
    provider: Annotated[str | None, typer.Option(help="only grants to this agency's services")] = None,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The grants you may see."""
    _json_flag(ctx, as_json)
    data = call(ctx, lambda api: api.get("/api/v1/grants", client_id=client_id, provider=provider))
    show(ctx, data, GRANT_COLUMNS, output=output)


@grant.command("revoke")
def grant_revoke(ctx: typer.Context, grant_id: str) -> None:
    """Revoke a grant: the client's next call to that service is refused."""
    call(ctx, lambda api: api.send("DELETE", f"/api/v1/grants/{grant_id}"))
    console.print(f"grant {grant_id} revoked")


def catalogue(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help="service or dataset")] = None,
    output: Format = OutputFormat.TABLE,
    as_json: Json = False,
) -> None:
    """The published services and datasets, with a service's maintenance window while it is announced or current
    (in Vietnam time, UTC+7, in the table; in UTC in CSV and JSON)."""
    _json_flag(ctx, as_json)
    data = call(ctx, lambda api: api.get_public("/api/v1/catalogue", kind=kind))
    if not (ctx.obj.json_output or output is OutputFormat.JSON):
        local = output is OutputFormat.TABLE
        data = [{**entry, "maintenance": _window(entry.get("maintenance"), local=local)} for entry in data]
    columns = ("address", "kind", "version", "title", "provider_name", "classification", "maintenance")
    show(ctx, data, columns, output=output)


def _window(window: dict[str, str] | None, *, local: bool) -> str | None:
    """`2026-12-20 22:00 – 2026-12-21 02:00 (UTC+7): notice`, or the API's UTC times when not `local`."""
    from datetime import datetime, timedelta, timezone

    if not window:
        return None
    if not local:
        return f"{window['from']} – {window['until']}: {window['notice']}"
    vietnam = timezone(timedelta(hours=7))
    starts, until = (
        datetime.fromisoformat(window[key]).astimezone(vietnam).strftime("%Y-%m-%d %H:%M")
        for key in ("from", "until")
    )
    return f"{starts} – {until} (UTC+7): {window['notice']}"


client_key = typer.Typer(
    help="Keys a client signs bus messages with (a connector's replies, the warehouse's acknowledgements); "
    "the registry keeps only public keys.",
    no_args_is_help=True,
)
client.add_typer(client_key, name="key")
KEY_COLUMNS = ("kid", "client_id", "created_at", "withdrawn_at")
KeyFile = Annotated[Path, typer.Argument(help="the JWK file (a private one: only its public half is sent)")]


def _public_half(path: Path) -> dict[str, Any]:
    from joserfc.errors import JoseError

    from contracts.signing import import_signing_key, public_jwk

    try:
        return public_jwk(import_signing_key(json.loads(_read(path))))
    except (ValueError, TypeError, KeyError, AttributeError, JoseError) as exc:
        typer.echo(f"error: {path} is not an EC P-256 or Ed25519 JWK: {exc}", err=True)
        raise typer.Exit(2) from None


@client_key.command("generate")
def client_key_generate(
    ctx: typer.Context,
    client_id: ClientId,
    out: Annotated[Path, typer.Option(help="where to write the private JWK (mode 600; never overwritten)")],
    algorithm: Annotated[str, typer.Option(help="Ed25519 or ES256")] = "Ed25519",
    register: Annotated[bool, typer.Option(help="register the public half now")] = True,
    as_json: Json = False,
) -> None:
    """Generate a key pair: the private JWK goes to --out (point LGSP_MESSAGE_KEY_FILE at it), the public half
    is registered for the client. To rotate: generate a new one, restart the signer on it, withdraw the old."""
    from contracts.signing import generate_message_key, public_jwk

    _json_flag(ctx, as_json)
    if algorithm not in ("Ed25519", "ES256"):
        typer.echo(f"error: algorithm {algorithm!r} is not Ed25519 or ES256", err=True)
        raise typer.Exit(2)
    key = generate_message_key(algorithm)
    try:
        with out.open("x", encoding="utf-8") as file:  # "x": never replace a key in use
            out.chmod(0o600)
            file.write(json.dumps(dict(key.as_dict(private=True)) | {"kid": key.kid}))
    except OSError as exc:
        typer.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    if not register:
        console.print(f"private key {key.kid} written to {out}; register it with `lgsp client key register`")
        return
    body = {"jwk": public_jwk(key)}
    registered = call(ctx, lambda api: api.send("POST", f"/api/v1/clients/{client_id}/keys", json=body))
    show(ctx, registered, KEY_COLUMNS)


@client_key.command("register")
def client_key_register(
    ctx: typer.Context, client_id: ClientId, path: KeyFile, as_json: Json = False
) -> None:
    """Register the public half of the key in a JWK file for the client."""
    _json_flag(ctx, as_json)
    body = {"jwk": _public_half(path)}
    registered = call(ctx, lambda api: api.send("POST", f"/api/v1/clients/{client_id}/keys", json=body))
    show(ctx, registered, KEY_COLUMNS)


@client_key.command("list")
def client_key_list(
    ctx: typer.Context, client_id: ClientId, output: Format = OutputFormat.TABLE, as_json: Json = False
) -> None:
    """The client's message signing keys, withdrawn ones too."""
    _json_flag(ctx, as_json)
    show(ctx, call(ctx, lambda api: api.get(f"/api/v1/clients/{client_id}/keys")), KEY_COLUMNS, output=output)


@client_key.command("withdraw")
def client_key_withdraw(ctx: typer.Context, client_id: ClientId, kid: str) -> None:
    """Withdraw a key: gateways stop believing messages signed with it (at once, or within the registry's
    refresh interval on other gateways)."""
    call(ctx, lambda api: api.send("DELETE", f"/api/v1/clients/{client_id}/keys/{kid}"))
    console.print(f"key {kid} of client {client_id} withdrawn")

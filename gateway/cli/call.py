"""`lgsp call AGENCY/SERVICE/vN --data JSON`: call a service through the gateway as a client."""

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from connectors.sdk.client import CallResult, GatewayClient
from gateway.cli.errors import CliError, print_error, print_places
from gateway.cli.state import GatewayCliState

RESULT_WAIT_SECONDS = 60.0
stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def _payload(data: str) -> Any:
    text = Path(data[1:]).read_text(encoding="utf-8") if data.startswith("@") else data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"--data is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def call(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="AGENCY/SERVICE/vMAJOR, e.g. H50.20/tra-cuu-thua-dat/v1")],
    data: Annotated[str, typer.Option("--data", "-d", help="the request as JSON, or @FILE")] = "{}",
    request_id: Annotated[str | None, typer.Option(help="your own request id (X-Request-ID)")] = None,
    respond_async: Annotated[
        bool, typer.Option("--async", help="Prefer: respond-async; wait for the result")
    ] = False,
) -> None:
    """Call a service; prints the reply, or the problem on one line (exit 1)."""
    state: GatewayCliState = ctx.obj
    payload = _payload(data)

    async def run() -> tuple[CallResult, Any, float]:
        started = time.perf_counter()
        async with state.client() as client:
            result = await client.call(address, payload, request_id=request_id, respond_async=respond_async)
            final = result.body
            if respond_async and result.status == 202 and result.exchange_id:
                final = await _await_result(client, result.exchange_id)
            return result, final, (time.perf_counter() - started) * 1000

    result, body, elapsed = asyncio.run(run())
    where = f"exchange {result.exchange_id}" if result.exchange_id else "no exchange id"
    if result.status >= 400:
        print_error(refusal(result.status, body, result.exchange_id))
        print_places(body.get("errors") if isinstance(body, dict) else None)
        raise typer.Exit(1)
    stderr.print(f"[green]{result.status}[/green] · {where} · {elapsed:.0f} ms")
    stdout.print_json(json.dumps(body, ensure_ascii=False))


def _problem_name(problem: dict[str, Any]) -> str:
    return str(problem.get("type", "")).removeprefix("urn:lgsp:error:") or str(problem.get("title", ""))


def refusal(status: int, body: Any, exchange_id: str | None) -> str:
    """The problem on one line: its detail, its name (and the provider's, for a 502), the status, and the
    exchange id unless the detail already says it."""
    if not isinstance(body, dict):
        return f"{body} (HTTP {status}{f', exchange {exchange_id}' if exchange_id else ''})"
    detail = str(body.get("detail") or body.get("title") or "request failed")
    names = [_problem_name(body)]
    provider = body.get("provider_problem")
    if isinstance(provider, dict) and _problem_name(provider):
        names.append(f"provider: {_problem_name(provider)}")
    names.append(f"HTTP {status}")
    if exchange_id and exchange_id not in detail:
        names.append(f"exchange {exchange_id}")
    return f"{detail} ({', '.join(name for name in names if name)})"


async def _await_result(client: GatewayClient, exchange_id: str) -> Any:
    try:
        async with asyncio.timeout(RESULT_WAIT_SECONDS):
            while True:
                record = await client.send("GET", f"/api/v1/exchanges/{exchange_id}")
                if record["outcome"] == "ok":
                    return record["result"]
                if record["outcome"] != "pending":
                    raise CliError(
                        f"the call ended {record['outcome']} ({record['error_type']}, exchange {exchange_id})"
                    )
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise CliError(f"no result for exchange {exchange_id} after {RESULT_WAIT_SECONDS:.0f}s") from None

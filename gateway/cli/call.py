"""`lgsp call AGENCY/SERVICE/vN --data JSON`: call a service through the gateway as a client."""

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from connectors.sdk.client import CallResult, GatewayClient
from gateway.cli.errors import CliError
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
        detail = body.get("detail") if isinstance(body, dict) else body
        name = str(body.get("type", "")).removeprefix("urn:lgsp:error:") if isinstance(body, dict) else ""
        raise CliError(f"{detail} ({name}, HTTP {result.status}, {where})")
    stderr.print(f"[green]{result.status}[/green] · {where} · {elapsed:.0f} ms")
    stdout.print_json(json.dumps(body, ensure_ascii=False))


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

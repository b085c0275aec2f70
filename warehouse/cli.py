"""`lgsp warehouse run|status`: the shared data warehouse sink as its own process, and what it holds."""

import asyncio
import csv
import json
import logging
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bus import create_bus
from bus.kafka_access import KafkaLogin
from connectors.sdk.client import GatewayClient
from contracts.errors import InvalidInput
from warehouse import DatasetSummary, GatewayCatalogue, WarehouseSink, WarehouseStore, gateway_jwks
from warehouse.keys import load_signer

warehouse = typer.Typer(help="The shared data warehouse (Kho CSDL dùng chung).", no_args_is_help=True)
console = Console()


class WarehouseSettings(Protocol):
    """What the warehouse reads of the platform's settings (the `lgsp` root hands them over in ctx.obj)."""

    kafka_bootstrap: str | None
    kafka_idempotence: bool
    kafka_partitions: int
    kafka_replication_factor: int
    instance_id: str
    message_key_file: Path | None

    def kafka_login(self) -> KafkaLogin | None: ...

    @property
    def effective_warehouse_url(self) -> str: ...


class GatewayAccess(Protocol):
    """How the `lgsp` root reaches the gateway as the configured client (LGSP_URL, LGSP_CLIENT_ID/SECRET)."""

    def client(self) -> GatewayClient: ...


def _settings(ctx: typer.Context) -> WarehouseSettings:
    settings: WarehouseSettings = ctx.find_root().obj.settings()
    return settings


async def _open_store(url: str) -> WarehouseStore:
    try:
        return await WarehouseStore.open(url)
    except ArgumentError as exc:
        raise InvalidInput(f"LGSP_WAREHOUSE_URL is not a database URL: {exc}") from None
    except (SQLAlchemyError, OSError) as exc:
        raise InvalidInput(f"cannot open the warehouse store: {exc.__class__.__name__}: {exc}") from None


@warehouse.command("run")
def run(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="the warehouse's name in acknowledgements")] = "kho-dung-chung",
    group: Annotated[
        str, typer.Option(help="Kafka consumer group the sink instances share")
    ] = "lgsp.warehouse",
    concurrency: Annotated[int, typer.Option(min=1, help="batches applied at once")] = 8,
) -> None:
    """Consume the dataset topics from Kafka into the warehouse store until SIGINT or SIGTERM."""
    settings = _settings(ctx)
    if not settings.kafka_bootstrap:
        raise InvalidInput("set LGSP_KAFKA_BOOTSTRAP: the warehouse reads the dataset topics from Kafka")
    url = str(ctx.find_root().params.get("url") or "http://localhost:8080")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)  # group joins and rebalances are routine
    asyncio.run(_run(settings, url, name, group, concurrency))


async def _run(settings: WarehouseSettings, url: str, name: str, group: str, concurrency: int) -> None:
    signer = load_signer(settings.message_key_file)  # the warehouse client's key, to sign acknowledgements
    if signer is None:
        logging.getLogger("lgsp.warehouse").warning(
            "LGSP_MESSAGE_KEY_FILE is not set: acknowledgements go unsigned, and a gateway on Kafka drops them"
        )
    async with GatewayClient(url) as client:
        keys = gateway_jwks(client)
        await keys()  # fail now, in one line, if the gateway is not there
        store = await _open_store(settings.effective_warehouse_url)
        bus = create_bus(
            settings.kafka_bootstrap,
            instance_id=f"{settings.instance_id}-warehouse",
            idempotence=settings.kafka_idempotence,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            login=settings.kafka_login(),
            replies=False,  # the sink consumes and acknowledges; it never waits for replies
        )
        try:
            await bus.start()
            sink = WarehouseSink(
                bus, store, keys=keys, catalogue=GatewayCatalogue(client), name=name, group=group,
                concurrency=concurrency, signer=signer,
            )  # fmt: skip
            await sink.start()
            stopping = asyncio.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(signum, stopping.set)
            await stopping.wait()
            await sink.stop()
        finally:
            await bus.stop()
            await store.close()
    console.print(
        f"warehouse {name} stopped: {sink.stats.batches} batches ({sink.stats.duplicates} redelivered), "
        f"{sink.stats.records} records, {sink.stats.rejected} rejected"
    )


@warehouse.command("redrive")
def redrive(
    ctx: typer.Context,
    exchange_ids: Annotated[list[str] | None, typer.Argument(help="dead letters to re-drive")] = None,
    every: Annotated[bool, typer.Option("--all", help="re-drive every dead letter")] = False,
) -> None:
    """Put dead-lettered share batches back on their topics through the gateway (an admin client); the sink
    stores them, or makes them dead letters again with the new reason."""
    if not exchange_ids and not every:
        raise InvalidInput("name the exchange ids to re-drive, or give --all")
    access: GatewayAccess = ctx.find_root().obj

    async def run() -> list[dict[str, str]]:
        async with access.client() as client:
            ids = list(exchange_ids or [])
            if every:
                ids = [letter["exchange_id"] for letter in await client.get("/api/v1/warehouse/dead-letters")]
            return [
                await client.send("POST", f"/api/v1/warehouse/dead-letters/{exchange_id}/redrive")
                for exchange_id in ids
            ]

    redriven = asyncio.run(run())
    for item in redriven:
        console.print(f"re-driven {item['exchange_id']} onto {item['topic']}")
    console.print(f"{len(redriven)} dead letter(s) re-driven")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


COLUMNS = ("dataset", "table", "records", "last_update")


@warehouse.command("status")
def status(
    ctx: typer.Context,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, json or csv")] = OutputFormat.TABLE,
) -> None:
    """Each dataset in the warehouse store (LGSP_WAREHOUSE_URL) with its row count and last update (UTC)."""
    settings = _settings(ctx)

    async def read() -> list[DatasetSummary]:
        store = await _open_store(settings.effective_warehouse_url)
        try:
            return await store.datasets()
        finally:
            await store.close()

    datasets = asyncio.run(read())
    rows = [
        {
            "dataset": dataset.address,
            "table": dataset.table,
            "records": dataset.rows,
            "last_update": dataset.last_update.isoformat(timespec="seconds") if dataset.last_update else None,
        }
        for dataset in datasets
    ]
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output is OutputFormat.CSV:
        writer = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif not datasets:
        console.print("the warehouse holds no datasets yet")
    else:
        _print_uncut([[str(row[column] or "-") for column in COLUMNS] for row in rows])


def _print_uncut(rows: list[list[str]]) -> None:
    """A table when the terminal is wide enough for every value whole, else a `column value` block a dataset:
    a dataset or table name is never cut."""
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(COLUMNS)]
    if sum(widths) + 3 * len(COLUMNS) + 1 <= console.width:
        table = Table(*COLUMNS)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    for row in rows:
        for column, value in zip(COLUMNS, row, strict=True):
            console.print(f"{column:<11} {value}", markup=False, highlight=False, soft_wrap=True)
        console.print()

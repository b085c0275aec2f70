"""A gateway for the exchange benchmark, with an answering connector in the same process.

`python -m benchmarks.exchange_server --port P --data DIR [--kafka HOST:PORT] [--backend URL]` registers a province with one
service, a client with a grant, writes a token to DIR/token, then serves. The full exchange path runs:
token check, grant, rate check, request validation, the log record opened and closed (group commit on SQLite),
signing, the bus hop, the connector's signature check and validation, reply validation. With `--backend`, the
service is bound to that HTTP backend instead and the built-in HTTP connector answers (embedded default only).
"""

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from bus import create_bus
from connectors.sdk import Connector, ConnectorRunner, GatewayClient, GatewayKeys, RequestContext
from contracts.loading import load_contract
from gateway.app import create_app
from gateway.cli.server import serve
from gateway.platform import http_backends
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings

CONTRACT = """
kind: service
code: tra-cuu-ho-so
version: 1.0.0
provider: H50.01
database: csdl-ho-so
title: Tra cứu tình trạng hồ sơ
classification: internal
request:
  type: object
  additionalProperties: false
  required: [ma_ho_so]
  properties:
    ma_ho_so: { type: string, pattern: "^[0-9]{3}\\\\.[0-9]{2}\\\\.[0-9]{2}\\\\.H50-[0-9]{6}-[0-9]{4}$" }
response:
  type: object
  required: [ma_ho_so, trang_thai]
  properties:
    ma_ho_so: { type: string }
    trang_thai: { type: string, enum: [dang-xu-ly, da-tra-ket-qua] }
    ngay_hen_tra: { type: string, format: date }
examples:
  - name: dang-xu-ly
    request: { ma_ho_so: "000.00.20.H50-241120-0001" }
    response: { ma_ho_so: "000.00.20.H50-241120-0001", trang_thai: dang-xu-ly, ngay_hen_tra: "2024-11-25" }
"""
ADDRESS = "H50.01/tra-cuu-ho-so/v1"
REQUEST = b'{"ma_ho_so": "000.00.20.H50-241120-0001"}'


def connector() -> Connector:
    department = Connector("H50.01", "csdl-ho-so", contracts=[load_contract(CONTRACT)])

    @department.service("tra-cuu-ho-so", major=1)
    async def status(request: dict, context: RequestContext) -> dict:
        return {"ma_ho_so": request["ma_ho_so"], "trang_thai": "dang-xu-ly", "ngay_hen_tra": "2024-11-25"}

    return department


def province(data: Path, kafka: str | None, backend: str | None = None):
    @asynccontextmanager
    async def run(app: FastAPI, runtime: GatewayRuntime) -> AsyncIterator[None]:
        transport = httpx.ASGITransport(app=app)
        async with GatewayClient("http://bench", "admin", "admin", transport=transport) as admin:
            await admin.send(
                "POST", "/api/v1/agencies", json={"code": "H50.01", "name": "VP UBND", "tier": "department"}
            )
            await admin.send(
                "POST", "/api/v1/databases", json={"agency": "H50.01", "code": "csdl-ho-so", "name": "Hồ sơ"}
            )
            await admin.send(
                "POST",
                "/api/v1/contracts",
                content=CONTRACT.encode(),
                headers={"Content-Type": "application/yaml"},
            )
            created = await admin.send(
                "POST", "/api/v1/clients", json={"agency": "H50", "name": "bench", "client_id": "bench"}
            )
            await admin.send(
                "POST",
                "/api/v1/grants",
                json={"client_id": "bench", "address": ADDRESS, "purpose": "benchmark"},
            )
            if backend:
                await admin.send("PUT", f"/api/v1/services/{ADDRESS}/backend", json={"url": backend})
        async with GatewayClient(
            "http://bench", "bench", created["client_secret"], transport=transport
        ) as bench:
            (data / "token").write_text(await bench.token())
        if backend:
            (data / "ready").write_text("ready")
            yield
            return
        bus = runtime.bus
        if kafka:  # the connector on Kafka clients of its own, as a separate process would have
            bus = create_bus(kafka, instance_id=f"bench-connector-{uuid.uuid4().hex[:6]}")
            await bus.start()
        runner = ConnectorRunner(
            connector(),
            bus,
            keys=GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set),
            concurrency=64,
        )
        await runner.start()
        (data / "ready").write_text("ready")
        try:
            yield
        finally:
            await runner.stop()
            if kafka:
                await bus.stop()

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--kafka")
    parser.add_argument("--backend", help="bind the service to this HTTP backend URL (in-process bus only)")
    args = parser.parse_args()
    settings = Settings(
        data_dir=args.data, demo=True, kafka_bootstrap=args.kafka,
        instance_id=f"bench-{uuid.uuid4().hex[:6]}", secret_hash_time_cost=1, secret_hash_memory_kib=1024,
    )  # fmt: skip
    extensions = [http_backends] if args.backend else []
    app = create_app(settings, extensions=[*extensions, province(args.data, args.kafka, args.backend)])
    serve(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

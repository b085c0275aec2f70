"""`lgsp demo`: a scripted tour of the platform, self-contained (a temporary database, the in-process bus).

The land department registers its database and its parcel-lookup contract; the provincial portal gets a
client and a grant, takes a token, calls the service; a call against the contract and a call without a grant
are refused; the exchange log shows every call and its hash chain verifies.
"""

import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from rich.console import Console

from connectors.samples.connectors import sample_connector
from connectors.samples.dat_dai.data import SAMPLE as LAND
from connectors.sdk import ApiProblem, ConnectorRunner, GatewayClient, GatewayKeys
from gateway.app import create_app
from gateway.exchangelog.verify import verify_log
from gateway.settings import Settings
from registry.cli import print_rows
from registry.demo import CONTRACTS_DIR

ADDRESS = "H50.20/tra-cuu-thua-dat/v1"
URL = "http://lgsp.tour"
ADMIN = ("tour-admin", "tour-admin-secret")


class Tour:
    def __init__(self, console: Console, http: httpx.AsyncClient, transport: httpx.ASGITransport) -> None:
        self.console = console
        self.http = http
        self.transport = transport
        self.step = 0

    def say(self, title: str) -> None:
        self.step += 1
        self.console.rule(f"[bold]{self.step}. {title}[/bold]", align="left")

    def client(self, client_id: str, secret: str) -> GatewayClient:
        return GatewayClient(URL, client_id, secret, transport=self.transport)

    async def shown(self, label: str, action: Callable[[], Awaitable[Any]]) -> Any:
        try:
            result = await action()
        except ApiProblem as problem:
            self.console.print(f"  [red]✗[/red] {label}: {problem.one_line()}")
            return None
        self.console.print(f"  [green]✓[/green] {label}")
        return result


async def run_tour(console: Console, data_dir: Path | None = None) -> bool:
    """Run the tour; returns whether the exchange log verified at the end."""
    with tempfile.TemporaryDirectory(prefix="lgsp-demo-") as scratch:
        directory = data_dir or Path(scratch)
        settings = Settings(
            data_dir=directory, database_url=None, kafka_bootstrap=None, instance_id="tour",
            admin_client_id=ADMIN[0], admin_client_secret=ADMIN[1], reply_timeout_seconds=5,
            capture_key=Fernet.generate_key().decode(),
        )  # fmt: skip
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=URL) as http:
                tour = Tour(console, http, transport)
                runtime = app.state.runtime
                keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
                runner = ConnectorRunner(
                    [sample_connector(LAND, directory, datasets=False, majors=(1,))], runtime.bus, keys=keys,
                    gateway=tour.client(*ADMIN),
                )  # fmt: skip
                await _register(tour)
                await runner.start()
                console.print(f"  [green]✓[/green] the land department's connector serves {ADDRESS}")
                secret = await _grant(tour)
                await _calls(tour, secret)
                await runner.stop()
                await _log(tour)
                tour.say("The exchange log's hash chain")
                report = await verify_log(runtime.engine)
                verdict = "[green]intact[/green]" if report.intact else "[red]broken[/red]"
                console.print(f"  {verdict}: {report.checked} records checked")
                return report.intact


async def _register(tour: Tour) -> None:
    tour.say("Sở Tài nguyên và Môi trường registers its database and a service contract")
    async with tour.client(*ADMIN) as admin:
        await tour.shown(
            "agency H50 (UBND tỉnh Quảng Trị) exists as the platform's operator",
            lambda: admin.get("/api/v1/agencies/H50"),
        )
        body = {"code": "H50.20", "name": "Sở Tài nguyên và Môi trường", "tier": "department"}
        await tour.shown(
            "agency H50.20 registered", lambda: admin.send("POST", "/api/v1/agencies", json=body)
        )
        database = {"agency": "H50.20", "code": "csdl-dat-dai", "name": "Cơ sở dữ liệu đất đai"}
        await tour.shown(
            "database csdl-dat-dai registered", lambda: admin.send("POST", "/api/v1/databases", json=database)
        )
        document = (CONTRACTS_DIR / "H50.20--tra-cuu-thua-dat--1.0.0.yaml").read_bytes()
        registered = await tour.shown(
            f"contract {ADDRESS} 1.0.0 registered (schemas and examples checked)",
            lambda: admin.send(
                "POST", "/api/v1/contracts", content=document, headers={"Content-Type": "application/yaml"}
            ),
        )
        if registered:
            tour.console.print(
                f"    published in the catalogue; OpenAPI at /api/v1/services/{ADDRESS}/openapi.json"
            )


async def _grant(tour: Tour) -> str:
    tour.say("The provincial public-service portal gets a client and a grant")
    async with tour.client(*ADMIN) as admin:
        agency = {"code": "H50.01", "name": "Văn phòng UBND tỉnh", "tier": "department"}
        await tour.shown(
            "agency H50.01 registered", lambda: admin.send("POST", "/api/v1/agencies", json=agency)
        )
        client = {"agency": "H50.01", "name": "Cổng dịch vụ công tỉnh", "client_id": "cong-dich-vu-cong"}
        created = await admin.send("POST", "/api/v1/clients", json=client)
        tour.console.print(
            "  [green]✓[/green] client cong-dich-vu-cong created; its secret is shown once, only its hash is kept"
        )
        grant = {"client_id": "cong-dich-vu-cong", "address": ADDRESS, "purpose": "Giải quyết thủ tục đất đai",
                 "calls_per_minute": 120}  # fmt: skip
        await tour.shown(f"grant: cong-dich-vu-cong may call {ADDRESS}, 120 calls/min, for its stated purpose",
                         lambda: admin.send("POST", "/api/v1/grants", json=grant))  # fmt: skip
        return str(created["client_secret"])


async def _calls(tour: Tour, secret: str) -> None:
    tour.say("The portal takes a token and calls the service")
    async with tour.client("cong-dich-vu-cong", secret) as portal:
        await portal.token()
        tour.console.print(
            f"  [green]✓[/green] OAuth2 client credentials → a signed JWT with scope {ADDRESS}"
        )
        found = await portal.call(
            ADDRESS, {"ma_xa": "19333", "so_to": 12, "so_thua": 145}, request_id="HS-0001"
        )
        body = found.body if isinstance(found.body, dict) else {}
        tour.console.print(
            f"  [green]✓[/green] HTTP {found.status}: parcel {body.get('parcel_id')}, {body.get('dien_tich')} m², {body.get('ten_xa')}, "
            f"exchange {found.exchange_id}"
        )
        missing = await portal.call(
            ADDRESS, {"ma_xa": "19333", "so_to": 99, "so_thua": 9999}, request_id="HS-0002"
        )
        tour.console.print(
            f"  [green]✓[/green] HTTP {missing.status}: {missing.body} (an answer, not an error)"
        )
        tour.say("Calls the gateway refuses")
        wrong = await portal.call(ADDRESS, {"so_thua": "mười"}, request_id="HS-0003")
        tour.console.print(f"  [yellow]![/yellow] HTTP {wrong.status} {_problem(wrong.body)}")
    stranger = {"code": "H50.16", "name": "Sở Ngoại vụ", "tier": "department"}
    async with tour.client(*ADMIN) as admin:
        await admin.send("POST", "/api/v1/agencies", json=stranger)
        created = await admin.send(
            "POST", "/api/v1/clients", json={"agency": "H50.16", "name": "Ứng dụng Sở Ngoại vụ"}
        )
    async with tour.client(created["client_id"], created["client_secret"]) as other:
        refused = await other.call(ADDRESS, {"ma_xa": "19333", "so_to": 12, "so_thua": 145})
        tour.console.print(f"  [yellow]![/yellow] HTTP {refused.status} {_problem(refused.body)}")


def _problem(body: Any) -> str:
    if not isinstance(body, dict):
        return str(body)
    return f"{str(body.get('type', '')).removeprefix('urn:lgsp:error:')}: {body.get('detail')}"


async def _log(tour: Tour) -> None:
    tour.say("The exchange log: every call, whatever its outcome")
    async with tour.client(*ADMIN) as admin:
        page = await admin.get("/api/v1/exchanges", limit=20)
    columns = ("received (UTC)", "consumer", "address", "outcome", "HTTP", "error", "chain #")
    rows = [
        (
            item["received_at"][11:23], item["consumer_agency"] or "—", item["address"] or "—", item["outcome"],
            str(item["http_status"]), item["error_type"] or "", str(item["seq"]),
        )
        for item in reversed(page["items"])
    ]  # fmt: skip
    print_rows(tour.console, columns, rows, identifiers=("received (UTC)", "consumer", "address", "error"))

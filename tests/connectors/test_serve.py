"""`lgsp connector serve`: an SDK connector's services over HTTP, each request's platform signature checked, requests
and answers checked against the contract as on the bus (connectors/sdk/http_app.py)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from joserfc.jwk import ECKey
from typer.testing import CliRunner

from connectors.sdk import Connector, GatewayKeys, ProviderProblem, RequestContext
from connectors.sdk.http_app import build_http_app
from connectors.sdk.http_envelope import envelope_to_http_headers
from contracts.envelope import EXCHANGE_REQUEST, Envelope, deadline_after, utc_now
from contracts.signing import sign_envelope
from gateway.cli import app
from tests.connectors.conftest import KID, new_key, public_set
from tests.faults.topology import Process, Topology, answers, logged, new_directory
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "examples/so_tnmt/contracts/tra-cuu-thua-dat-1.0.0.yaml"
ADDRESS = "H50.20/tra-cuu-thua-dat/v1"
PATH = f"/{ADDRESS}"
NOT_FOUND = {"ma_xa": "19333", "so_to": 99, "so_thua": 999}


def department() -> Connector:
    """The land lookup answering well, or failing in each way a handler can, chosen by the parcel asked for."""
    connector = Connector(agency="H50.20", database="csdl-dat-dai", contracts=[CONTRACT])

    @connector.service("tra-cuu-thua-dat", major=1)
    async def tra_cuu(request: dict[str, Any], context: RequestContext) -> dict[str, Any]:
        parcel = request.get("parcel_id")
        if parcel == "19333-1-1":
            raise ProviderProblem(404, "no parcel 19333-1-1 in the register", name="parcel-not-found")
        if parcel == "19333-1-2":
            raise RuntimeError("the register's database is down: password=hunter2")
        if parcel == "19333-1-3":
            return {"found": "có"}  # breaks the contract: found is a boolean
        return {"found": False}

    return connector


class Platform:
    """Signs requests as the gateway does, and posts them in CloudEvents HTTP binary mode."""

    def __init__(self, key: ECKey, http: httpx.AsyncClient) -> None:
        self.key, self.http = key, http

    def envelope(self, payload: Any = NOT_FOUND, **attributes: Any) -> Envelope:
        envelope = Envelope(
            id=str(uuid.uuid4()), source="urn:lgsp:gateway:test", type=EXCHANGE_REQUEST, subject=ADDRESS,
            data=orjson.dumps(payload), time=utc_now(), replyto="lgsp.reply.gw-test", consumer="H50.01",
            deadline=deadline_after(30), traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
        )  # fmt: skip
        return replace(envelope, **attributes)

    def signed(self, payload: Any = NOT_FOUND, *, key: ECKey | None = None, **attributes: Any) -> Envelope:
        return sign_envelope(self.envelope(payload, **attributes), key or self.key, KID)

    async def post(self, envelope: Envelope, path: str = PATH) -> httpx.Response:
        return await self.http.post(path, content=envelope.data, headers=envelope_to_http_headers(envelope))


@pytest.fixture(scope="module")
async def platform() -> AsyncIterator[Platform]:
    key = new_key()
    keys = GatewayKeys(key_set=public_set(key))
    app = build_http_app(department(), keys, max_body_bytes=4096)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://connector") as http:
        yield Platform(key, http)


def problem(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lgsp:error:{name}", body
    return body


class TestAnswers:
    async def test_a_signed_request_gets_the_handlers_answer(self, platform: Platform) -> None:
        request = platform.signed()
        response = await platform.post(request)
        assert response.status_code == 200, response.text
        assert response.json() == {"found": False}
        assert response.headers["ce-id"] == request.id

    async def test_a_domain_failure_is_the_handlers_problem_with_its_status(self, platform: Platform) -> None:
        body = problem(
            await platform.post(platform.signed({"parcel_id": "19333-1-1"})), 404, "parcel-not-found"
        )
        assert body["detail"] == "no parcel 19333-1-1 in the register"

    async def test_a_crash_is_a_502_naming_only_the_exception_type(self, platform: Platform) -> None:
        response = await platform.post(platform.signed({"parcel_id": "19333-1-2"}))
        body = problem(response, 502, "provider-error")
        assert "RuntimeError" in body["detail"]
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text

    async def test_an_answer_against_the_contract_is_never_sent(self, platform: Platform) -> None:
        response = await platform.post(platform.signed({"parcel_id": "19333-1-3"}))
        body = problem(response, 502, "reply-invalid")
        assert [error["pointer"] for error in body["errors"]] == ["/found"]
        assert "có" not in response.text  # nor in errors[]: where and which rule, never the value

    async def test_a_request_against_the_contract_never_reaches_the_handler(self, platform: Platform) -> None:
        body = problem(await platform.post(platform.signed({"ma_xa": "x"})), 422, "request-invalid")
        assert body["errors"]


class TestOnlyThePlatformsSignedRequests:
    async def test_an_unsigned_request_is_401(self, platform: Platform) -> None:
        response = await platform.http.post(PATH, json=NOT_FOUND)
        problem(response, 401, "signature-invalid")

    async def test_a_request_signed_by_another_key_is_401(self, platform: Platform) -> None:
        forged = platform.signed(key=new_key())
        problem(await platform.post(forged), 401, "signature-invalid")

    async def test_a_body_changed_after_signing_is_401(self, platform: Platform) -> None:
        signed = platform.signed()
        tampered = replace(signed, data=orjson.dumps({"parcel_id": "19333-12-145"}))
        problem(await platform.post(tampered), 401, "signature-invalid")

    async def test_a_consumer_changed_after_signing_is_401(self, platform: Platform) -> None:
        problem(await platform.post(replace(platform.signed(), consumer="H50.99")), 401, "signature-invalid")

    async def test_a_replayed_request_is_answered_once(self, platform: Platform) -> None:
        request = platform.signed()
        assert (await platform.post(request)).status_code == 200
        problem(await platform.post(request), 409, "request-repeated")

    async def test_an_old_request_is_refused(self, platform: Platform) -> None:
        then = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        problem(await platform.post(platform.signed(time=then)), 401, "request-stale")

    async def test_a_request_past_its_deadline_is_not_run(self, platform: Platform) -> None:
        past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        problem(await platform.post(platform.signed(deadline=past)), 504, "request-expired")

    async def test_a_request_signed_for_another_service_is_refused(self, platform: Platform) -> None:
        other = platform.signed(subject="H50.20/tra-cuu-ho-so/v1")
        problem(await platform.post(other), 422, "request-invalid")


class TestBadInput:
    async def test_an_oversized_body_is_413(self, platform: Platform) -> None:
        request = platform.signed({"parcel_id": "1" * 5000})
        problem(await platform.post(request), 413, "payload-too-large")

    async def test_headers_that_are_not_an_envelope_are_422(self, platform: Platform) -> None:
        headers = envelope_to_http_headers(platform.signed())
        del headers["ce-specversion"]
        response = await platform.http.post(PATH, content=orjson.dumps(NOT_FOUND), headers=headers)
        problem(response, 422, "envelope-invalid")

    async def test_another_path_or_method_is_a_problem(self, platform: Platform) -> None:
        problem(await platform.post(platform.signed(), path="/H50.20/khong-co/v1"), 404, "not-found")
        problem(await platform.http.get(PATH), 405, "method-not-allowed")


# The department developer's path: the README's block, run as written, `lgsp up` and the connector as processes


def readme_path() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The README block that serves so_tnmt: its exported settings and its lines by terminal."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(
        match.group(1)
        for match in re.finditer(r"^```bash\n(.*?)^```$", readme, re.S | re.M)
        if "lgsp connector serve so_tnmt" in match.group(1)
    )
    exports: dict[str, str] = {}
    terminals: dict[str, list[str]] = {}
    current = ""
    for line in block.splitlines():
        if line.startswith("export "):
            words = shlex.split(line.partition("#")[0])[1:]
            exports.update(word.split("=", 1) for word in words)  # type: ignore[misc]
        elif line.startswith("# terminal"):
            current = line.split()[2].rstrip(":")
            terminals[current] = []
        elif line.strip():
            terminals[current].append(line)
    return exports, terminals


class Department:
    """`lgsp up` and `lgsp connector serve`, started as the README says."""

    def __init__(self) -> None:
        self.exports, self.terminals = readme_path()
        # the README's admin; a reply timeout long enough for a loaded machine (the fault tests' is 0.5 s)
        settings = {**self.exports, "LGSP_REPLY_TIMEOUT_SECONDS": "10"}
        self.topology = Topology("serve", new_directory("serve"), settings=settings)
        self.port = free_port()
        self.served_url = f"http://127.0.0.1:{self.port}/{ADDRESS}"
        self.connector: Process | None = None

    def env(self) -> dict[str, str]:
        env = self.topology.env()
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def bash(self, lines: list[str]) -> str:
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self) -> None:
        assert self.terminals["1"] == ["lgsp up"]
        up = ["up", "--host", "127.0.0.1", "--port", str(self.topology.port)]
        self.topology._process("gateway", up, answers(self.topology.url)).start()
        *register, serve = self.terminals["2"]
        self.bash(register)
        args = [*shlex.split(serve)[1:], "--port", str(self.port)]
        self.connector = self.topology._process("connector", args, logged("stop with Ctrl+C"))
        self.connector.start()

    @contextlib.contextmanager
    def admin(self) -> Iterator[httpx.Client]:
        """An HTTP client of the gateway, with the README's admin's token."""
        credentials = (self.exports["LGSP_ADMIN_CLIENT_ID"], self.exports["LGSP_ADMIN_CLIENT_SECRET"])
        with httpx.Client(base_url=self.topology.url, timeout=30) as http:
            token = http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials)
            http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield http

    def backend(self) -> httpx.Response:
        """The service's binding, read by the README's admin."""
        with self.admin() as http:
            return http.get(f"/api/v1/services/{ADDRESS}/backend")


@pytest.fixture(scope="module")
def department_path() -> Iterator[Department]:
    department = Department()
    try:
        department.start()
    except BaseException:
        department.topology.kill_all()
        print(*(f"--- {p.name}\n{p.output()[-4000:]}" for p in department.topology.processes.values()))
        raise
    try:
        yield department
    finally:
        department.topology.stop()
        shutil.rmtree(department.topology.directory, ignore_errors=True)


class TestADepartmentDevelopersPath:
    def test_a_call_through_the_gateway_is_answered_by_the_served_connector(
        self, department_path: Department
    ) -> None:
        output = department_path.bash(department_path.terminals["3"])
        # the reply follows the tables of `client create` and `grant create`
        reply = re.search(r"^\{.*", output, re.S | re.M)
        assert reply is not None, output
        answer = orjson.loads(reply.group(0))
        assert answer["found"] is True
        assert answer["parcel_id"] == "19333-12-145"  # from the example's land register
        assert answer["owner"]["ho_ten"] == "Nguyễn Văn Hùng"

    def test_the_service_is_bound_to_the_served_url(self, department_path: Department) -> None:
        binding = department_path.backend()
        assert binding.status_code == 200, binding.text
        assert binding.json()["url"] == department_path.served_url

    def test_a_request_straight_to_the_connector_needs_the_platforms_signature(
        self, department_path: Department
    ) -> None:
        url = department_path.served_url
        unsigned = httpx.post(url, json={"parcel_id": "19333-12-145"})
        assert unsigned.status_code == 401
        assert unsigned.json()["type"] == "urn:lgsp:error:signature-invalid"
        forged = sign_envelope(
            Envelope(
                id=str(uuid.uuid4()), source="urn:lgsp:gateway:forged", type=EXCHANGE_REQUEST, subject=ADDRESS,
                data=b'{"parcel_id": "19333-12-145"}', time=utc_now(), consumer="H50.01",
            ),
            new_key("gw-forged"),
            "gw-forged",
        )  # fmt: skip
        refused = httpx.post(url, content=forged.data, headers=envelope_to_http_headers(forged))
        assert refused.status_code == 401
        assert "19333-12-145" not in refused.text
        assert "19333-12-145" not in department_path.connector.output()  # type: ignore[union-attr]


DATASET = "H50.20/thua-dat/v1"


@pytest.fixture(scope="module")
def sharing_connector(department_path: Department) -> Process:
    """so_tnmt served again, unbound, with its own client granted its dataset: it shares the dataset at once."""
    with department_path.admin() as http:
        contract = (ROOT / "examples/so_tnmt/contracts/thua-dat-1.0.0.yaml").read_bytes()
        yaml = {"Content-Type": "application/yaml"}
        assert http.post("/api/v1/contracts", content=contract, headers=yaml).status_code == 201
        client = {"agency": "H50.20", "client_id": "so-tnmt-ket-noi", "name": "Kết nối", "role": "consumer"}
        created = http.post("/api/v1/clients", json=client)
        assert created.status_code == 201, created.text
        grant = {"client_id": "so-tnmt-ket-noi", "address": DATASET, "purpose": "Chia sẻ vào kho"}
        assert http.post("/api/v1/grants", json=grant).status_code == 201
    args = ["connector", "serve", "so_tnmt.connector:connector", "--app-dir", "examples/so_tnmt",
            "--port", "0", "--no-bind", "--share-now"]  # fmt: skip
    credentials = {"LGSP_CLIENT_ID": "so-tnmt-ket-noi", "LGSP_CLIENT_SECRET": created.json()["client_secret"]}
    process = department_path.topology._process("sharing", args, logged("stop with Ctrl+C"), **credentials)
    process.start()
    return process


class TestServeSharesDatasets:
    def test_the_dataset_is_shared_with_the_connectors_own_client_and_delivered(
        self, department_path: Department, sharing_connector: Process
    ) -> None:
        assert re.search(
            rf"Sharing.*{DATASET}\s.*so_tnmt\.connector\.thua_dat", sharing_connector.output(), re.S
        )
        with department_path.admin() as http:
            shares: list[dict[str, Any]] = []
            for _ in range(300):  # the share runs at start; delivery follows the warehouse's acknowledgement
                page = http.get("/api/v1/exchanges", params={"address": DATASET, "kind": "share"}).json()
                shares = page["items"]
                if shares and shares[0]["delivered_at"]:
                    break
                time.sleep(0.05)
        assert len(shares) == 1, shares
        assert shares[0]["outcome"] == "ok"
        assert shares[0]["client_id"] == "so-tnmt-ket-noi"
        assert shares[0]["record_count"] == 2  # the example's land register
        assert shares[0]["delivered_at"] is not None

    def test_served_with_the_bootstrap_admin_the_datasets_are_not_shared_and_it_says_why(
        self, department_path: Department
    ) -> None:
        assert department_path.connector is not None
        assert (
            f"{DATASET} not shared: sharing datasets needs the connector's own client: set LGSP_CLIENT_ID and "
            "LGSP_CLIENT_SECRET"
        ) in department_path.connector.output()
        assert "Sharing" not in department_path.connector.output()


def command(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    path = list(sys.path)
    try:
        result = CliRunner().invoke(app, list(args), env=env)
    finally:  # the example imported in this process must not shadow another test's module of the same name
        sys.path[:] = path
        for name in [n for n in sys.modules if n == "so_tnmt" or n.startswith("so_tnmt.")]:
            del sys.modules[name]
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.stderr.splitlines() if line.strip()]


class TestServeSaysWhatIsWrongOnOneLine:
    def test_no_gateway(self) -> None:
        env = {"LGSP_URL": f"http://127.0.0.1:{free_port()}"}
        code, lines = command(env, "connector", "serve", "so_tnmt.connector:connector", "--app-dir",
                              str(ROOT / "examples/so_tnmt"), "--port", "0")  # fmt: skip
        assert code == 1
        assert lines == [f"error: cannot reach the gateway at {env['LGSP_URL']}; is `lgsp up` running?"]

    def test_the_port_taken(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            code, lines = command({}, "connector", "serve", "so_tnmt.connector:connector", "--app-dir",
                                  str(ROOT / "examples/so_tnmt"), "--port", str(port))  # fmt: skip
        assert code == 1
        assert len(lines) == 1
        assert f"port {port} on 127.0.0.1 is taken" in lines[0]

    def test_a_service_not_registered(self, department_path: Department) -> None:
        env = {"LGSP_URL": department_path.topology.url, **department_path.exports}
        code, lines = command(env, "connector", "serve", "tests.connectors.test_serve:unregistered",
                              "--app-dir", str(ROOT), "--port", "0")  # fmt: skip
        assert code == 1
        assert len(lines) == 1
        assert "H50.20/khong-dang-ky/v1" in lines[0]
        assert "lgsp contract register" in lines[0]

    def test_a_service_bound_elsewhere_is_left_bound(self, department_path: Department) -> None:
        env = {"LGSP_URL": department_path.topology.url, **department_path.exports}
        code, lines = command(env, "connector", "serve", "so_tnmt.connector:connector", "--app-dir",
                              str(ROOT / "examples/so_tnmt"), "--port", "0")  # fmt: skip
        assert code == 1
        assert lines == [
            f"error: {ADDRESS} is bound to {department_path.served_url} already: unbind it first "
            f"(lgsp service unbind {ADDRESS}), or serve with --no-bind"
        ]
        assert department_path.backend().json()["url"] == department_path.served_url


def unregistered() -> Connector:
    connector = Connector(agency="H50.20", database="csdl-dat-dai")
    connector.service("khong-dang-ky", major=1)(lambda request, context: {})
    return connector


class TestStopping:
    """Last in the module: it stops the connector the tests above call."""

    def test_sigterm_unbinds_the_services_and_stops(self, department_path: Department) -> None:
        connector = department_path.connector
        assert connector is not None
        assert connector.popen is not None
        connector.popen.send_signal(signal.SIGTERM)
        assert connector.popen.wait(timeout=30) == 0, connector.since_start()[-3000:]
        assert f"unbound {ADDRESS}" in connector.since_start()
        assert department_path.backend().status_code == 404

    def test_sigterm_stops_a_sharing_connector_cleanly(self, sharing_connector: Process) -> None:
        assert sharing_connector.popen is not None
        sharing_connector.popen.send_signal(signal.SIGTERM)
        assert sharing_connector.popen.wait(timeout=30) == 0, sharing_connector.since_start()[-3000:]
        assert sharing_connector.since_start().rstrip().endswith("stopped")

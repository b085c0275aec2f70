"""HTTP backends on the embedded default: a service bound to a real HTTP server on loopback answers calls."""

import logging
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import pytest_asyncio
import yaml
from joserfc.jwk import KeySet

from connectors.http.backend import HttpBackends
from connectors.sdk import ApiProblem, GatewayClient
from contracts.addresses import Address
from contracts.envelope import EXCHANGE_REQUEST, STATUS_ERROR, STATUS_OK, Envelope, utc_now
from contracts.loading import load_contract
from contracts.signing import generate_message_key, sign_envelope
from gateway.sandbox.composition import Sandbox, open_sandbox
from tests.backends.backend_server import (
    AGAINST_CONTRACT,
    FAILING,
    GOOD,
    HUGE,
    NOT_FOUND,
    REDIRECT,
    SLOW,
    TOKEN,
    TOKEN_CLIENT,
    TOKEN_SECRET,
    Backend,
    running_backend,
)
from tests.bus.conftest import wait_until

ROOT = Path(__file__).parents[2]
CONTRACT = load_contract((ROOT / "examples/contracts/tra-cuu-du-an-1.0.0.yaml").read_bytes())
ADDRESS = "H50.22/tra-cuu-du-an/v1"
BACKEND_PATH = f"/api/v1/services/{ADDRESS}/backend"
PASSWORD = "mat-khau-bi-mat-42"
HEADER_SECRET = "khoa-api-bi-mat-7"


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    with running_backend() as running:
        yield running


@pytest_asyncio.fixture(scope="module")
async def sandbox(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sandbox]:
    async with open_sandbox([CONTRACT], [], tmp_path_factory.mktemp("backends")) as opened:
        backend.jwks = KeySet.import_key_set(await opened.admin.get_public("/.well-known/envelope-jwks.json"))
        await bind(opened, backend.url, timeout_seconds=0.5)
        yield opened


async def bind(sandbox: Sandbox | GatewayClient, url: str, **fields: Any) -> Any:
    body = {
        "url": url,
        "headers": {"X-Api-Key": HEADER_SECRET},
        "auth": {"type": "basic", "username": "lgsp", "password": PASSWORD},
    } | fields
    client = sandbox.admin if isinstance(sandbox, Sandbox) else sandbox
    return await client.send("PUT", BACKEND_PATH, json=body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestGoodAnswer:
    async def test_the_backend_answers_the_call_with_the_envelope_in_cloudevents_headers(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": GOOD}, request_id="req-backend-1")
        assert call.status == 200
        assert call.body == {"found": True, "ma_du_an": GOOD, "ten_du_an": "Nhà máy gỗ"}
        seen = backend.seen[-1]
        assert seen.headers["ce-id"] == call.exchange_id
        assert seen.headers["ce-specversion"] == "1.0"
        assert seen.headers["ce-subject"] == ADDRESS
        assert seen.headers["ce-consumer"] == "H50"
        assert seen.headers["x-request-id"] == call.exchange_id
        assert seen.headers["traceparent"].startswith("00-")
        assert seen.headers["x-api-key"] == HEADER_SECRET
        assert seen.headers["authorization"].startswith("Basic ")
        exchange = await sandbox.exchange(call.exchange_id or "")
        assert exchange["outcome"] == "ok"

    async def test_the_backend_verifies_the_signature_against_the_jwks(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        await sandbox.call(ADDRESS, {"ma_du_an": GOOD})
        assert backend.seen[-1].signature_valid is True


def bus_request(sandbox: Sandbox, number: str, *, sent: str | None = None) -> Envelope:
    """A request as an attacker on the bus would put it on the service's topic, unsigned."""
    return Envelope(
        id=str(uuid.uuid4()), source="urn:lgsp:gateway:sandbox", type=EXCHANGE_REQUEST, subject=ADDRESS,
        data=orjson.dumps({"ma_du_an": number}), time=sent or utc_now(), consumer="H50",
        replyto=sandbox.runtime.bus.reply_topic,
    )  # fmt: skip


def gateway_signed(sandbox: Sandbox, request: Envelope) -> Envelope:
    keys = sandbox.runtime.keyring.envelopes
    return sign_envelope(request, keys.signing_key, keys.kid)


class TestForgedRequests:
    """A request put on the bus by anyone but the gateway is answered with its problem, never forwarded."""

    @pytest.mark.parametrize("signed_by", ["another-key", "nobody"])
    async def test_it_never_reaches_the_backend(
        self, sandbox: Sandbox, backend: Backend, signed_by: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        request = bus_request(sandbox, GOOD)
        if signed_by == "another-key":  # with the gateway's key id
            request = sign_envelope(
                request, generate_message_key("P-256"), sandbox.runtime.keyring.envelopes.kid
            )
        before = len(backend.seen)
        with caplog.at_level(logging.WARNING, logger="lgsp.connector"):
            topic = Address.parse(ADDRESS).service_topic
            reply = await sandbox.runtime.bus.request(topic, request, timeout=10)
        assert reply.status == STATUS_ERROR
        assert orjson.loads(reply.data)["type"] == "urn:lgsp:error:signature-invalid"
        assert len(backend.seen) == before
        assert any(request.id in r.getMessage() for r in caplog.records)
        assert GOOD not in caplog.text  # no payload value in the log
        assert (await sandbox.call(ADDRESS, {"ma_du_an": GOOD})).status == 200  # genuine calls still answer


class TestReplayedRequests:
    """The gateway's genuine request, put on the bus again, or long after it was signed, is not answered."""

    async def test_the_same_signed_request_twice_reaches_the_backend_once(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        connector: HttpBackends = sandbox.app.state.http_backends
        request = gateway_signed(sandbox, bus_request(sandbox, GOOD))
        topic = Address.parse(ADDRESS).service_topic
        before, duplicates = len(backend.seen), connector.admission.refused["duplicate"]
        reply = await sandbox.runtime.bus.request(topic, request, timeout=10)
        assert reply.status == STATUS_OK
        await sandbox.runtime.bus.publish(topic, request)
        await wait_until(lambda: connector.admission.refused["duplicate"] == duplicates + 1)
        assert len(backend.seen) == before + 1

    async def test_a_request_signed_long_ago_never_reaches_the_backend(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        connector: HttpBackends = sandbox.app.state.http_backends
        old = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        request = gateway_signed(sandbox, bus_request(sandbox, GOOD, sent=old))
        before, stale = len(backend.seen), connector.admission.refused["stale"]
        await sandbox.runtime.bus.publish(Address.parse(ADDRESS).service_topic, request)
        await wait_until(lambda: connector.admission.refused["stale"] == stale + 1)
        assert len(backend.seen) == before


class TestBackendErrors:
    async def test_a_backend_4xx_is_a_502_carrying_its_status_and_problem(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": NOT_FOUND})
        assert call.status == 502
        provider = call.body["provider_problem"]
        assert provider["type"] == "urn:lgsp:error:backend-error"
        assert provider["backend_status"] == 404
        assert provider["backend_problem"] == {
            "type": "https://so-khdt.example/problems/no-project",
            "title": "No such project",
        }
        assert (await sandbox.exchange(call.exchange_id or ""))["outcome"] == "provider_error"

    async def test_a_backend_5xx_is_a_502_carrying_its_status(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": FAILING})
        assert call.status == 502
        assert call.body["provider_problem"]["backend_status"] == 500

    async def test_a_redirect_is_not_followed(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": REDIRECT})
        assert call.status == 502
        assert call.body["provider_problem"]["backend_status"] == 302

    async def test_an_oversized_answer_is_refused_unread(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": HUGE})
        assert call.status == 502
        assert "more than 1048576 bytes" in call.body["provider_problem"]["detail"]

    async def test_a_slow_backend_is_a_504(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": SLOW})
        assert call.status == 504
        assert call.body["provider_problem"]["type"] == "urn:lgsp:error:backend-timeout"
        assert (await sandbox.exchange(call.exchange_id or ""))["outcome"] == "timeout"

    async def test_an_answer_breaking_the_contract_is_not_passed_on(self, sandbox: Sandbox) -> None:
        call = await sandbox.call(ADDRESS, {"ma_du_an": AGAINST_CONTRACT})
        assert call.status == 502
        assert call.body["type"] == "urn:lgsp:error:reply-invalid"
        assert "yes" not in str(call.body)


class TestUnreachable:
    async def test_a_refused_connection_is_a_502_backend_unreachable(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        await bind(sandbox, f"http://127.0.0.1:{free_port()}/api")
        try:
            call = await sandbox.call(ADDRESS, {"ma_du_an": GOOD})
        finally:
            await bind(sandbox, backend.url, timeout_seconds=0.5)
        assert call.status == 502
        assert call.body["provider_problem"]["type"] == "urn:lgsp:error:backend-unreachable"

    async def test_an_unbound_service_is_no_longer_served(self, sandbox: Sandbox, backend: Backend) -> None:
        await sandbox.admin.send("DELETE", BACKEND_PATH)
        try:
            with pytest.raises(ApiProblem) as missing:
                await sandbox.admin.get(BACKEND_PATH)
            served = set(sandbox.app.state.http_backends.bindings)
        finally:
            await bind(sandbox, backend.url, timeout_seconds=0.5)
        assert missing.value.status == 404
        assert ADDRESS not in served  # (a call would wait the gateway's whole reply timeout to learn it)


class TestForbiddenNetworks:
    @pytest.mark.parametrize(
        "url",
        [
            "http://169.254.169.254/latest/meta-data",
            "http://[fe80::1]/",
            "http://8.8.8.8/",
            "http://localhost:8080/",
        ],
        ids=["link-local", "link-local-v6", "public", "own-listener"],
    )
    async def test_a_binding_outside_the_networks_is_refused(self, sandbox: Sandbox, url: str) -> None:
        with pytest.raises(ApiProblem) as refused:
            await bind(sandbox, url)
        assert refused.value.status == 422
        assert refused.value.type == "urn:lgsp:error:backend-network-forbidden"

    async def test_a_url_that_is_not_http_is_refused(self, sandbox: Sandbox) -> None:
        with pytest.raises(ApiProblem) as refused:
            await bind(sandbox, "file:///etc/passwd")
        assert refused.value.status == 422
        assert refused.value.type == "urn:lgsp:error:backend-url-invalid"


class TestSecrets:
    async def test_get_shows_the_binding_without_its_secrets(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        shown = await sandbox.admin.get(BACKEND_PATH)
        assert shown["url"] == backend.url
        assert shown["headers"] == {"X-Api-Key": "set"}
        assert shown["auth"] == {"type": "basic", "username": "lgsp", "password": "set"}
        assert PASSWORD not in str(shown)
        assert HEADER_SECRET not in str(shown)

    async def test_secrets_are_never_logged(
        self, sandbox: Sandbox, backend: Backend, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.DEBUG):
            await bind(sandbox, backend.url, timeout_seconds=0.5)
            for number in (GOOD, NOT_FOUND, FAILING):
                await sandbox.call(ADDRESS, {"ma_du_an": number})
        assert caplog.records
        assert PASSWORD not in caplog.text
        assert HEADER_SECRET not in caplog.text

    async def test_secrets_are_stored_encrypted(self, sandbox: Sandbox) -> None:
        data_dir = sandbox.runtime.settings.data_dir
        stored = b"".join(path.read_bytes() for path in data_dir.iterdir() if path.is_file())
        assert b"service_backend" in stored  # the binding is in these files
        assert PASSWORD.encode() not in stored
        assert HEADER_SECRET.encode() not in stored

    async def test_only_the_providers_managers_may_bind(self, sandbox: Sandbox, backend: Backend) -> None:
        await sandbox.admin.send(
            "POST", "/api/v1/agencies", json={"code": "H50.23", "name": "Sở khác", "tier": "department"}
        )
        shown: dict[str, Any] = {}
        for agency in ("H50.23", "H50.22"):
            client = {
                "agency": agency,
                "client_id": f"quan-tri-{agency.lower()}",
                "name": "x",
                "role": "agency_admin",
            }
            created = await sandbox.admin.send("POST", "/api/v1/clients", json=client)
            async with sandbox.client(created["client_id"], created["client_secret"]) as manager:
                try:
                    shown[agency] = await bind(manager, backend.url, timeout_seconds=0.5)
                except ApiProblem as refused:
                    shown[agency] = refused.status
        assert shown["H50.23"] == 403
        assert shown["H50.22"]["updated_by"] == "quan-tri-h50.22"

    async def test_a_client_of_another_agency_may_not_read_or_bind(self, sandbox: Sandbox) -> None:
        with pytest.raises(ApiProblem) as refused:
            await sandbox.consumer.get(BACKEND_PATH)
        assert refused.value.status == 403


class TestAuthKinds:
    async def test_oauth2_client_credentials_token_is_fetched_once_and_sent(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        auth = {
            "type": "oauth2",
            "token_url": backend.token_url,
            "client_id": TOKEN_CLIENT,
            "client_secret": TOKEN_SECRET,
        }
        try:
            shown = await bind(sandbox, backend.url, headers={}, auth=auth)
            before = backend.tokens_issued
            for _ in range(2):
                assert (await sandbox.call(ADDRESS, {"ma_du_an": GOOD})).status == 200
                assert backend.seen[-1].headers["authorization"] == f"Bearer {TOKEN}"
            issued = backend.tokens_issued - before
        finally:
            await bind(sandbox, backend.url, timeout_seconds=0.5)
        assert shown["auth"]["client_secret"] == "set"
        assert issued == 1

    async def test_a_static_auth_header_is_sent(self, sandbox: Sandbox, backend: Backend) -> None:
        try:
            await bind(
                sandbox, backend.url, headers={}, auth={"type": "header", "name": "X-Token", "value": "abc"}
            )
            assert (await sandbox.call(ADDRESS, {"ma_du_an": GOOD})).status == 200
            seen = backend.seen[-1].headers
        finally:
            await bind(sandbox, backend.url, timeout_seconds=0.5)
        assert seen["x-token"] == "abc"
        assert "authorization" not in seen


class TestBadBindings:
    @pytest.mark.parametrize(
        ("fields", "pointer"),
        [
            ({"headers": {"ce-id": "x"}}, "/headers/ce-id"),
            ({"headers": {"Authorization": "Bearer x"}}, "/headers/Authorization"),
        ],
    )
    async def test_a_header_the_connector_sets_is_refused(
        self, sandbox: Sandbox, backend: Backend, fields: dict[str, Any], pointer: str
    ) -> None:
        with pytest.raises(ApiProblem) as refused:
            await bind(sandbox, backend.url, **fields)
        assert refused.value.status == 422
        assert [e["pointer"] for e in refused.value.problem["errors"]] == [pointer]

    @pytest.mark.parametrize(
        "fields",
        [
            {"timeout_seconds": 0},
            {"auth": {"type": "basic", "username": "u"}},
            {"auth": {"type": "kerberos"}},
            {"unknown": 1},
        ],
        ids=["zero-timeout", "basic-without-password", "unknown-auth", "unknown-field"],
    )
    async def test_malformed_bindings_are_422(
        self, sandbox: Sandbox, backend: Backend, fields: dict[str, Any]
    ) -> None:
        with pytest.raises(ApiProblem) as refused:
            await bind(sandbox, backend.url, **fields)
        assert refused.value.status == 422

    async def test_a_dataset_or_unknown_service_is_404(self, sandbox: Sandbox, backend: Backend) -> None:
        with pytest.raises(ApiProblem) as missing:
            await sandbox.admin.send(
                "PUT", "/api/v1/services/H50.22/khong-co/v1/backend", json={"url": backend.url}
            )
        assert missing.value.status == 404


class TestContractDocumentBackend:
    async def test_a_forbidden_backend_in_a_document_registers_nothing(self, sandbox: Sandbox) -> None:
        document = CONTRACT_NEXT | {"backend": {"url": "http://169.254.169.254/"}}
        with pytest.raises(ApiProblem) as refused:
            await register(sandbox, document)
        assert refused.value.type == "urn:lgsp:error:backend-network-forbidden"
        versions = await sandbox.admin.get_public(f"/api/v1/services/{ADDRESS.rsplit('/', 1)[0]}")
        assert [v["version"] for v in versions[0]["versions"]] == ["1.0.0"]

    async def test_a_document_with_a_backend_rebinds_keeping_the_auth(
        self, sandbox: Sandbox, backend: Backend
    ) -> None:
        moved = backend.url + "?from=document"
        await register(sandbox, CONTRACT_NEXT | {"backend": {"url": moved, "timeout_seconds": 0.5}})
        try:
            shown = await sandbox.admin.get(BACKEND_PATH)
            assert (await sandbox.call(ADDRESS, {"ma_du_an": GOOD})).status == 200
        finally:
            await bind(sandbox, backend.url, timeout_seconds=0.5)
        assert shown["url"] == moved
        assert shown["auth"] == {"type": "basic", "username": "lgsp", "password": "set"}


CONTRACT_NEXT = yaml.safe_load((ROOT / "examples/contracts/tra-cuu-du-an-1.1.0.yaml").read_text())


async def register(sandbox: Sandbox, document: dict[str, Any]) -> Any:
    content = orjson.dumps(document)
    return await sandbox.admin.send(
        "POST", "/api/v1/contracts", content=content, headers={"Content-Type": "application/json"}
    )


class TestRemovingABoundService:
    async def test_its_last_version_cannot_be_removed_while_bound(self, sandbox: Sandbox) -> None:
        path = f"/api/v1/services/{ADDRESS.rsplit('/', 1)[0]}"
        versions = [v["version"] for v in (await sandbox.admin.get_public(path))[0]["versions"]]
        for newer in sorted(set(versions) - {"1.0.0"}, reverse=True):  # the document test's 1.1.0
            await sandbox.admin.send("DELETE", f"{path}/{newer}")
        with pytest.raises(ApiProblem) as refused:
            await sandbox.admin.send("DELETE", f"{path}/1.0.0")
        assert refused.value.status == 409
        assert "unbind" in refused.value.problem["detail"]

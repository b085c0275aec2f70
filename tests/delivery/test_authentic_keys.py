"""The keys clients sign bus messages with: registered, listed and withdrawn over the API and the CLI, public
halves only, written by the client's own agency admin or the platform admin; bad input is an RFC 9457 problem
(API) or a one-line error (CLI)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts.signing import generate_message_key, public_jwk
from tests.harness import Harness, LiveGateway, gateway_settings, land_department, run_cli, running_gateway

CLIENT = "ket-noi-tnmt"


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Harness]:
    settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path)
    async with running_gateway(settings) as harness:
        await land_department(harness)
        await harness.create_client("H50.20", CLIENT)
        yield harness


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:lgsp:error:")
    return body


async def register(harness: Harness, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await harness.post(f"/api/v1/clients/{CLIENT}/keys", body, headers=headers)


class TestRegisterAndWithdraw:
    async def test_a_public_key_is_registered_listed_and_withdrawn(self, gateway: Harness) -> None:
        key = generate_message_key()
        created = await register(gateway, {"jwk": public_jwk(key)})
        assert created.status_code == 201, created.text
        assert created.json()["kid"] == key.kid
        assert created.headers["location"] == f"/api/v1/clients/{CLIENT}/keys/{key.kid}"
        assert gateway.app.state.runtime.directory.message_keys[key.kid].agency == "H50.20"

        withdrawn = await gateway.http.delete(
            f"/api/v1/clients/{CLIENT}/keys/{key.kid}", headers=await gateway.admin()
        )
        assert withdrawn.status_code == 200, withdrawn.text
        listed = (
            await gateway.http.get(f"/api/v1/clients/{CLIENT}/keys", headers=await gateway.admin())
        ).json()
        assert [(k["kid"], k["withdrawn_at"] is not None) for k in listed] == [(key.kid, True)]
        assert "d" not in listed[0]["jwk"]
        assert key.kid not in gateway.app.state.runtime.directory.message_keys


class TestBadKeys:
    async def test_a_private_key_is_refused_and_not_kept(self, gateway: Harness) -> None:
        private = dict(generate_message_key().as_dict(private=True))
        body = problem(await register(gateway, {"jwk": private}), 422)
        assert "public half" in body["detail"]
        assert private["d"] not in json.dumps(body)
        listed = await gateway.http.get(f"/api/v1/clients/{CLIENT}/keys", headers=await gateway.admin())
        assert listed.json() == []

    @pytest.mark.parametrize(
        "body",
        [
            {"jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}},
            {"jwk": {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}},
            {"jwk": {"kty": "OKP", "crv": "Ed25519"}},
            {"jwk": "not an object"},
            {"key": {}},
            {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA"}, "extra": 1},
        ],
        ids=["rsa", "p-384", "no-x", "string", "wrong-member", "extra-member"],
    )
    async def test_anything_but_a_p256_or_ed25519_public_jwk_is_a_422_problem(
        self, gateway: Harness, body: Any
    ) -> None:
        problem(await register(gateway, body), 422)

    async def test_a_kid_already_registered_is_a_409_problem(self, gateway: Harness) -> None:
        jwk = public_jwk(generate_message_key())
        assert (await register(gateway, {"jwk": jwk})).status_code == 201
        problem(await register(gateway, {"jwk": jwk}), 409)

    async def test_unknown_client_or_kid_is_a_404_problem(self, gateway: Harness) -> None:
        jwk = public_jwk(generate_message_key())
        problem(await gateway.post("/api/v1/clients/khong-co/keys", {"jwk": jwk}), 404)
        withdrawn = await gateway.http.delete(
            f"/api/v1/clients/{CLIENT}/keys/khong-co", headers=await gateway.admin()
        )
        problem(withdrawn, 404)


class TestWhoMayWrite:
    async def test_the_agencys_own_admin_may_another_agencys_admin_may_not(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.21", "Sở Y tế")
        own = await gateway.auth(*await gateway.create_client("H50.20", "quan-tri-tnmt", "agency_admin"))
        other = await gateway.auth(*await gateway.create_client("H50.21", "quan-tri-yte", "agency_admin"))
        consumer = await gateway.auth(*await gateway.create_client("H50.20", "ung-dung-tnmt"))
        jwk = public_jwk(generate_message_key())
        problem(await register(gateway, {"jwk": jwk}, headers=other), 404)  # not even visible to it
        problem(await register(gateway, {"jwk": jwk}, headers=consumer), 403)
        assert (await register(gateway, {"jwk": jwk}, headers=own)).status_code == 201


class TestCli:
    async def test_generate_registers_the_public_half_and_keeps_the_private_one_in_a_file(
        self, tmp_path: Path
    ) -> None:
        settings = gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path)
        with LiveGateway(settings) as live:
            async with httpx.AsyncClient(base_url=live.url) as http:
                harness = Harness(app=live.server.config.app, http=http, settings=settings)
                await land_department(harness)
                await harness.create_client("H50.20", CLIENT)
            env = live.cli_env()
            out = tmp_path / "connector-key.jwk"
            generated = await run_cli(["client", "key", "generate", CLIENT, "--out", str(out), "--json"], env)
            assert generated.exit_code == 0, generated.output
            kid = json.loads(generated.stdout)["kid"]
            private = json.loads(out.read_text())
            assert private["kid"] == kid
            assert "d" in private
            assert out.stat().st_mode & 0o077 == 0

            again = await run_cli(["client", "key", "generate", CLIENT, "--out", str(out)], env)
            assert again.exit_code == 2  # never overwrites a key in use
            assert again.stderr.startswith("error: ")

            not_a_key = tmp_path / "not-a-key.json"
            not_a_key.write_text('{"hello": "world"}')
            refused = await run_cli(["client", "key", "register", CLIENT, str(not_a_key)], env)
            assert refused.exit_code == 2
            assert len(refused.stderr.strip().splitlines()) == 1

            withdrawn = await run_cli(["client", "key", "withdraw", CLIENT, kid], env)
            assert withdrawn.exit_code == 0, withdrawn.output
            unknown = await run_cli(["client", "key", "withdraw", CLIENT, "khong-co"], env)
            assert unknown.exit_code != 0
            assert len(unknown.stderr.strip().splitlines()) == 1
            listed = await run_cli(["client", "key", "list", CLIENT, "--json"], env)
            assert [k["kid"] for k in json.loads(listed.stdout) if k["withdrawn_at"]] == [kid]

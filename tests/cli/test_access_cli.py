"""`lgsp access`: the consumer's manager asks, the provider's manager approves or refuses in writing, from the
command line against a gateway on a real port."""

import json
from typing import Any

import httpx

from tests.harness import ADMIN_ID, ADMIN_SECRET, LAND_ADDRESS, LAND_SERVICE, LiveGateway, run_cli

LEGAL_BASIS = "Điều 16 Nghị định 194/2025/NĐ-CP"


def admin_post(
    live: LiveGateway, path: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> httpx.Response:
    with httpx.Client(base_url=live.url) as http:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, ADMIN_SECRET)
        ).json()["access_token"]
        return http.post(path, headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kwargs)


def province(live: LiveGateway) -> dict[str, dict[str, str]]:
    """The land department's service, a consumer agency with a portal client, and each side's manager."""
    for body in (
        {"code": "H50.20", "name": "Sở Tài nguyên và Môi trường", "tier": "department"},
        {"code": "H50.05", "name": "Sở Tư pháp", "tier": "department"},
        {"code": "H50.07", "name": "Sở Y tế", "tier": "department"},
    ):
        assert admin_post(live, "/api/v1/agencies", json=body).status_code == 201
    database = {"agency": "H50.20", "code": "csdl-dat-dai", "name": "CSDL đất đai", "status": "active"}
    assert admin_post(live, "/api/v1/databases", json=database).status_code == 201
    registered = admin_post(
        live,
        "/api/v1/contracts",
        content=LAND_SERVICE.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert registered.status_code == 201, registered.text
    env = {}
    for agency, client_id, role in (
        ("H50.05", "h50-05-admin", "agency_admin"),
        ("H50.05", "h50-05-portal", "consumer"),
        ("H50.20", "h50-20-admin", "agency_admin"),
        ("H50.07", "h50-07-admin", "agency_admin"),
    ):
        body = {"agency": agency, "client_id": client_id, "name": client_id, "role": role}
        created = admin_post(live, "/api/v1/clients", json=body)
        assert created.status_code == 201, created.text
        env[client_id] = live.cli_env(client_id, created.json()["client_secret"])
    return env


async def ask(env: dict[str, str], *extra: str) -> dict[str, Any]:
    result = await run_cli(
        ["access", "request", LAND_ADDRESS, "--client", "h50-05-portal", "--purpose", "Đăng ký đất đai",
         "--legal-basis", LEGAL_BASIS, "--json", *extra],
        env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.output))


class TestAccessLifecycle:
    async def test_request_then_approve_narrowed_makes_the_grant(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        asked = await ask(env["h50-05-admin"], "--field", "/area_m2", "--field", "/owner", "--rate", "60")
        assert asked["status"] == "pending"
        waiting = await run_cli(["access", "list", "--status", "pending"], env["h50-20-admin"])
        assert waiting.exit_code == 0, waiting.output
        assert asked["id"] in waiting.output
        approved = await run_cli(
            ["access", "approve", asked["id"], "--field", "/area_m2", "--rate", "10", "--json"],
            env["h50-20-admin"],
        )
        assert approved.exit_code == 0, approved.output
        decision = json.loads(approved.output)
        assert (decision["status"], decision["decided_by"]) == ("approved", "h50-20-admin")
        grants = await run_cli(["grant", "list", "--json"], env["h50-05-admin"])
        granted = json.loads(grants.output)["items"]
        assert [(g["id"], g["fields"], g["calls_per_minute"]) for g in granted] == [
            (decision["grant_id"], ["/area_m2"], 10)
        ]

    async def test_widening_is_one_line_and_non_zero(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        asked = await ask(env["h50-05-admin"], "--rate", "60")
        result = await run_cli(["access", "approve", asked["id"], "--rate", "100"], env["h50-20-admin"])
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "widen" in result.output

    async def test_refusal_needs_a_reason_and_the_requester_reads_it(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        asked = await ask(env["h50-05-admin"])
        missing = await run_cli(
            ["access", "refuse", asked["id"], "--legal-basis", LEGAL_BASIS], env["h50-20-admin"]
        )
        assert missing.exit_code != 0
        assert "--reason" in missing.output
        blank = await run_cli(
            ["access", "refuse", asked["id"], "--reason", " ", "--legal-basis", LEGAL_BASIS],
            env["h50-20-admin"],
        )
        assert blank.exit_code == 1
        assert "Traceback" not in blank.output
        refused = await run_cli(
            ["access", "refuse", asked["id"], "--reason", "Không phục vụ mục đích nêu", "--legal-basis",
             "Khoản 2 Điều 16"],
            env["h50-20-admin"],
        )  # fmt: skip
        assert refused.exit_code == 0, refused.output
        shown = await run_cli(["access", "show", asked["id"]], env["h50-05-admin"])
        assert shown.exit_code == 0, shown.output
        assert "refused" in shown.output
        assert "Không phục vụ mục đích nêu" in shown.output
        assert "Khoản 2 Điều 16" in shown.output

    async def test_withdraw_then_deciding_is_a_conflict(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        asked = await ask(env["h50-05-admin"])
        withdrawn = await run_cli(["access", "withdraw", asked["id"]], env["h50-05-admin"])
        assert withdrawn.exit_code == 0, withdrawn.output
        late = await run_cli(["access", "approve", asked["id"]], env["h50-20-admin"])
        assert late.exit_code == 1
        assert "withdrawn" in late.output


class TestWhoSeesWhat:
    async def test_a_third_agency_neither_lists_nor_reads_it(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        asked = await ask(env["h50-05-admin"])
        listed = await run_cli(["access", "list", "--json"], env["h50-07-admin"])
        assert json.loads(listed.output)["total"] == 0
        shown = await run_cli(["access", "show", asked["id"]], env["h50-07-admin"])
        assert shown.exit_code == 1
        assert "not-found" in shown.output or "does not exist" in shown.output

    async def test_a_client_without_manage_rights_cannot_ask(self, live_gateway: LiveGateway) -> None:
        env = province(live_gateway)
        result = await run_cli(
            ["access", "request", LAND_ADDRESS, "--client", "h50-05-portal", "--purpose", "Tra cứu",
             "--legal-basis", LEGAL_BASIS],
            env["h50-05-portal"],
        )  # fmt: skip
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "forbidden" in result.output or "lgsp:manage" in result.output

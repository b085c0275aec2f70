"""Access requests through the API: the consumer asks, the provider approves (the grant is made) or refuses in
writing, the requester may withdraw; each request seen only by the two agencies and the platform admin."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connectors.sdk import ConnectorRunner, GatewayClient, GatewayKeys
from tests.connectors.conftest import VALID_REQUEST
from tests.connectors.parcels import PARCELS, parcel_connector
from tests.harness import LAND_ADDRESS, Harness, land_department

PATH = "/api/v1/access-requests"
LEGAL_BASIS = "Điều 16 Nghị định 194/2025/NĐ-CP"


@dataclass
class Parties:
    gateway: Harness
    consumer_admin: dict[str, str]  # H50.05's agency_admin: asks and withdraws
    portal: dict[str, str]  # H50.05's consumer client the access is for
    provider_admin: dict[str, str]  # H50.20's agency_admin: decides
    stranger_admin: dict[str, str]  # H50.07's agency_admin: neither side

    async def ask(self, **terms: Any) -> httpx.Response:
        body = {
            "client_id": "h50-05-portal",
            "address": LAND_ADDRESS,
            "purpose": "Giải quyết thủ tục đăng ký đất đai",
            "legal_basis": LEGAL_BASIS,
            **terms,
        }
        return await self.gateway.http.post(PATH, json=body, headers=self.consumer_admin)

    async def asked(self, **terms: Any) -> dict[str, Any]:
        response = await self.ask(**terms)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def act(
        self, request_id: str, action: str, headers: dict[str, str], body: Any = None
    ) -> httpx.Response:
        return await self.gateway.http.post(f"{PATH}/{request_id}/{action}", json=body or {}, headers=headers)


@pytest.fixture
async def parties(gateway: Harness) -> Parties:
    await land_department(gateway)
    await gateway.create_agency("H50.05", "Sở Tư pháp")
    await gateway.create_agency("H50.07", "Sở Y tế")
    headers = {}
    for agency, client_id, role in (
        ("H50.05", "h50-05-admin", "agency_admin"),
        ("H50.05", "h50-05-portal", "consumer"),
        ("H50.20", "h50-20-admin", "agency_admin"),
        ("H50.07", "h50-07-admin", "agency_admin"),
    ):
        headers[client_id] = await gateway.auth(*await gateway.create_client(agency, client_id, role))
    return Parties(
        gateway,
        headers["h50-05-admin"],
        headers["h50-05-portal"],
        headers["h50-20-admin"],
        headers["h50-07-admin"],
    )


def runner(gateway: Harness) -> ConnectorRunner:
    """The land department's connector on the gateway's in-process bus."""
    transport = httpx.ASGITransport(app=gateway.app)
    return ConnectorRunner(
        parcel_connector(with_contract=False),
        gateway.app.state.runtime.bus,
        keys=GatewayKeys(url="http://testserver", transport=transport),
        gateway=GatewayClient("http://testserver", transport=transport),
    )


async def portal_call(gateway: Harness) -> httpx.Response:
    """The portal calls the land service with a fresh token (its scope is what it is granted now)."""
    secret = await gateway.http.post("/api/v1/clients/h50-05-portal/secret", headers=await gateway.admin())
    token = await gateway.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("h50-05-portal", secret.json()["client_secret"]),
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=VALID_REQUEST, headers=headers)


class TestRequest:
    async def test_a_request_waits_for_the_providers_decision(self, parties: Parties) -> None:
        response = await parties.ask(fields=["/area_m2"], calls_per_minute=30)
        assert response.status_code == 201, response.text
        assert response.headers["location"] == f"{PATH}/{response.json()['id']}"
        request = response.json()
        assert request["status"] == "pending"
        assert (request["consumer_agency"], request["provider_agency"]) == ("H50.05", "H50.20")
        assert (request["created_by"], request["decided_at"], request["grant_id"]) == (
            "h50-05-admin",
            None,
            None,
        )
        assert request["legal_basis"] == LEGAL_BASIS

    async def test_the_legal_basis_is_required(self, parties: Parties) -> None:
        for legal_basis in (None, "  "):
            response = await parties.ask(legal_basis=legal_basis)
            assert response.status_code == 422, response.text

    async def test_fields_must_be_in_the_contract(self, parties: Parties) -> None:
        response = await parties.ask(fields=["/area_m2", "/so_do"])
        assert response.status_code == 422
        assert response.json()["errors"] == [{"pointer": "/fields/1", "message": "not a property"}]

    async def test_a_client_without_manage_rights_cannot_ask(self, parties: Parties) -> None:
        response = await parties.ask()
        assert response.status_code == 201
        refused = await parties.gateway.http.post(PATH, json={}, headers=parties.portal)
        assert refused.status_code == 403

    async def test_another_agencys_manager_cannot_ask_for_its_client(self, parties: Parties) -> None:
        body = {
            "client_id": "h50-05-portal",
            "address": LAND_ADDRESS,
            "purpose": "Tra cứu",
            "legal_basis": "x",
        }
        response = await parties.gateway.http.post(PATH, json=body, headers=parties.stranger_admin)
        assert response.status_code == 403


class TestApprove:
    async def test_approval_makes_the_grant_and_the_call_then_works(self, parties: Parties) -> None:
        request = await parties.asked()
        assert (await portal_call(parties.gateway)).status_code == 403  # no grant yet
        approved = await parties.act(request["id"], "approve", parties.provider_admin)
        assert approved.status_code == 200, approved.text
        decision = approved.json()
        assert decision["status"] == "approved"
        assert decision["decided_by"] == "h50-20-admin"
        assert decision["decided_at"] is not None
        grant = await parties.gateway.http.get(
            f"/api/v1/grants/{decision['grant_id']}", headers=parties.consumer_admin
        )
        assert grant.json()["client_id"] == "h50-05-portal"
        assert grant.json()["created_by"] == "h50-20-admin"
        async with runner(parties.gateway):
            response = await portal_call(parties.gateway)
        assert response.status_code == 200, response.text
        assert response.json() == PARCELS[("19234", 12, 345)]

    async def test_the_provider_may_narrow_fields_rate_and_period(self, parties: Parties) -> None:
        request = await parties.asked(
            fields=["/area_m2", "/owner"], calls_per_minute=60, valid_until="2031-01-01T00:00:00+07:00"
        )
        narrowed = {
            "fields": ["/owner/full_name"],
            "calls_per_minute": 10,
            "valid_until": "2030-01-01T00:00:00+07:00",
        }
        approved = await parties.act(request["id"], "approve", parties.provider_admin, narrowed)
        assert approved.status_code == 200, approved.text
        grant = await parties.gateway.http.get(
            f"/api/v1/grants/{approved.json()['grant_id']}", headers=parties.provider_admin
        )
        assert grant.json()["fields"] == ["/owner/full_name"]
        assert grant.json()["calls_per_minute"] == 10
        assert grant.json()["valid_until"].startswith("2029-12-31T17:00:00")

    @pytest.mark.parametrize(
        ("wider", "pointer"),
        [
            ({"fields": ["/land_use"]}, "/fields/0"),
            ({"fields": []}, "/fields"),
            ({"calls_per_minute": 61}, "/calls_per_minute"),
            ({"valid_until": "2032-01-01T00:00:00+07:00"}, "/valid_until"),
        ],
    )
    async def test_widening_is_refused(self, parties: Parties, wider: dict[str, Any], pointer: str) -> None:
        request = await parties.asked(
            fields=["/area_m2"], calls_per_minute=60, valid_until="2031-01-01T00:00:00+07:00"
        )
        response = await parties.act(request["id"], "approve", parties.provider_admin, wider)
        assert response.status_code == 422, response.text
        assert [error["pointer"] for error in response.json()["errors"]] == [pointer]
        still = await parties.gateway.http.get(f"{PATH}/{request['id']}", headers=parties.consumer_admin)
        assert still.json()["status"] == "pending"

    async def test_the_consumer_side_cannot_approve_its_own_request(self, parties: Parties) -> None:
        request = await parties.asked()
        response = await parties.act(request["id"], "approve", parties.consumer_admin)
        assert response.status_code == 403


class TestRefuse:
    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"reason": "Không đủ căn cứ"},
            {"legal_basis": LEGAL_BASIS},
            {"reason": " ", "legal_basis": LEGAL_BASIS},
        ],
    )
    async def test_a_refusal_without_reason_or_legal_basis_is_422(
        self, parties: Parties, body: dict[str, str]
    ) -> None:
        request = await parties.asked()
        response = await parties.act(request["id"], "refuse", parties.provider_admin, body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"

    async def test_the_requester_reads_the_reason_and_its_legal_basis(self, parties: Parties) -> None:
        request = await parties.asked()
        body = {
            "reason": "Dữ liệu chủ sử dụng đất không phục vụ mục đích nêu",
            "legal_basis": "Khoản 2 Điều 16",
        }
        refused = await parties.act(request["id"], "refuse", parties.provider_admin, body)
        assert refused.status_code == 200, refused.text
        read = (
            await parties.gateway.http.get(f"{PATH}/{request['id']}", headers=parties.consumer_admin)
        ).json()
        assert read["status"] == "refused"
        assert (read["decision_reason"], read["decision_legal_basis"]) == (
            body["reason"],
            body["legal_basis"],
        )
        assert (read["decided_by"], read["grant_id"]) == ("h50-20-admin", None)
        assert (await portal_call(parties.gateway)).status_code == 403


class TestWithdraw:
    async def test_the_requester_withdraws_and_it_can_no_longer_be_decided(self, parties: Parties) -> None:
        request = await parties.asked()
        withdrawn = await parties.act(request["id"], "withdraw", parties.consumer_admin)
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["status"] == "withdrawn"
        approve = await parties.act(request["id"], "approve", parties.provider_admin)
        assert approve.status_code == 409
        assert approve.json()["type"] == "urn:lgsp:error:conflict"

    async def test_the_provider_cannot_withdraw_it(self, parties: Parties) -> None:
        request = await parties.asked()
        assert (await parties.act(request["id"], "withdraw", parties.provider_admin)).status_code == 403


class TestOnlyPendingIsDecided:
    @pytest.mark.parametrize("action", ["approve", "refuse", "withdraw"])
    async def test_a_decided_request_is_409(self, parties: Parties, action: str) -> None:
        request = await parties.asked()
        assert (await parties.act(request["id"], "approve", parties.provider_admin)).status_code == 200
        who = parties.consumer_admin if action == "withdraw" else parties.provider_admin
        body = {"reason": "Đã quyết định", "legal_basis": LEGAL_BASIS} if action == "refuse" else {}
        response = await parties.act(request["id"], action, who, body)
        assert response.status_code == 409, response.text


class TestWhoSeesWhat:
    async def test_both_agencies_and_the_admin_see_it_a_third_agency_does_not(self, parties: Parties) -> None:
        request = await parties.asked()
        http = parties.gateway.http
        for headers in (
            parties.consumer_admin,
            parties.provider_admin,
            parties.portal,
            await parties.gateway.admin(),
        ):
            assert (await http.get(f"{PATH}/{request['id']}", headers=headers)).status_code == 200
            assert [r["id"] for r in (await http.get(PATH, headers=headers)).json()["items"]] == [
                request["id"]
            ]
        unseen = await http.get(f"{PATH}/{request['id']}", headers=parties.stranger_admin)
        assert unseen.status_code == 404
        assert (await http.get(PATH, headers=parties.stranger_admin)).json()["total"] == 0
        decided = await parties.act(request["id"], "approve", parties.stranger_admin)
        assert decided.status_code == 404

    async def test_anonymous_is_401(self, parties: Parties) -> None:
        request = await parties.asked()
        assert (await parties.gateway.http.get(PATH)).status_code == 401
        assert (await parties.gateway.http.get(f"{PATH}/{request['id']}")).status_code == 401
        assert (await parties.gateway.http.post(PATH, json={})).status_code == 401

    async def test_listing_filters_by_status_and_agency(self, parties: Parties) -> None:
        first = await parties.asked()
        second = await parties.asked(purpose="Cấp giấy chứng nhận")
        await parties.act(second["id"], "withdraw", parties.consumer_admin)
        admin = await parties.gateway.admin()

        async def ids(**query: str) -> list[str]:
            response = await parties.gateway.http.get(PATH, params=query, headers=admin)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]]

        assert await ids(status="pending") == [first["id"]]
        assert await ids(status="withdrawn", agency="H50.20") == [second["id"]]
        assert await ids(agency="H50.07") == []
        assert (
            await parties.gateway.http.get(PATH, params={"status": "lost"}, headers=admin)
        ).status_code == 422


class TestAdminStillGrants:
    async def test_a_platform_admin_creates_a_grant_directly(self, parties: Parties) -> None:
        body = {"client_id": "h50-05-portal", "address": LAND_ADDRESS, "purpose": "Tra cứu"}
        assert (await parties.gateway.post("/api/v1/grants", body)).status_code == 201


class TestTheRecordStays:
    async def test_a_client_with_requests_on_record_cannot_be_deleted(self, parties: Parties) -> None:
        request = await parties.asked()
        await parties.act(request["id"], "withdraw", parties.consumer_admin)
        deleted = await parties.gateway.http.delete(
            "/api/v1/clients/h50-05-portal", headers=await parties.gateway.admin()
        )
        assert deleted.status_code == 409, deleted.text
        assert (
            await parties.gateway.http.get(f"{PATH}/{request['id']}", headers=parties.consumer_admin)
        ).status_code == 200

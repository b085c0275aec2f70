from tests.harness import Harness


class TestCreateAgency:
    async def test_created_agency_is_listed_under_its_parent(self, gateway: Harness) -> None:
        created = await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        assert created["parent_code"] == "H50"

        listed = (await gateway.http.get("/api/v1/agencies", params={"parent": "H50"})).json()
        assert [a["code"] for a in listed["items"]] == ["H50.20"]
        assert listed["total"] == 1
        shown = (await gateway.http.get("/api/v1/agencies/H50.20")).json()
        assert shown["name"] == "Sở Tài nguyên và Môi trường"

    async def test_duplicate_code_is_a_conflict(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        response = await gateway.post(
            "/api/v1/agencies", {"code": "H50.20", "name": "again", "tier": "department"}
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:lgsp:error:conflict"

    async def test_bad_code_names_the_field(self, gateway: Harness) -> None:
        response = await gateway.post(
            "/api/v1/agencies", {"code": "h50-20", "name": "x", "tier": "department"}
        )
        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:invalid-input"
        assert problem["errors"][0]["pointer"] == "/code"
        assert "Decision 20/2020" in problem["errors"][0]["message"]

    async def test_unknown_parent_is_refused(self, gateway: Harness) -> None:
        response = await gateway.post(
            "/api/v1/agencies", {"code": "H51.01", "name": "x", "tier": "department"}
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:lgsp:error:unknown-reference"

    async def test_malformed_json_is_a_problem_not_a_crash(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/api/v1/agencies",
            content=b"{not json",
            headers={**await gateway.admin(), "content-type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:lgsp:error:invalid-input"


class TestAgencyWritesNeedAuthority:
    async def test_anonymous_write_is_unauthorized(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/api/v1/agencies", json={"code": "H50.20", "name": "x", "tier": "department"}
        )
        assert response.status_code == 401
        assert response.json()["type"] == "urn:lgsp:error:unauthorized"

    async def test_consumer_client_may_not_create_agencies(self, gateway: Harness) -> None:
        client_id, secret = await gateway.create_client("H50", "h50-portal")
        response = await gateway.post(
            "/api/v1/agencies",
            {"code": "H50.21", "name": "x", "tier": "department"},
            headers=await gateway.auth(client_id, secret),
        )
        assert response.status_code == 403

    async def test_agency_admin_manages_agencies_below_its_own(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        client_id, secret = await gateway.create_client("H50.20", "h50-20-admin", role="agency_admin")
        headers = await gateway.auth(client_id, secret)
        below = await gateway.post(
            "/api/v1/agencies", {"code": "H50.20.01", "name": "Chi cục", "tier": "district"}, headers=headers
        )
        assert below.status_code == 201
        beside = await gateway.post(
            "/api/v1/agencies", {"code": "H50.21", "name": "x", "tier": "department"}, headers=headers
        )
        assert beside.status_code == 403


class TestDeleteAgency:
    async def test_referenced_agency_is_kept_with_the_reasons(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        response = await gateway.http.delete("/api/v1/agencies/H50.20", headers=await gateway.admin())
        assert response.status_code == 409
        assert response.json()["references"] == {"databases": 1}
        assert (await gateway.http.get("/api/v1/agencies/H50.20")).status_code == 200

    async def test_unreferenced_agency_is_deleted(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        response = await gateway.http.delete("/api/v1/agencies/H50.20", headers=await gateway.admin())
        assert response.status_code == 204
        assert (await gateway.http.get("/api/v1/agencies/H50.20")).status_code == 404

from tests.harness import Harness


class TestRegisterDatabase:
    async def test_registered_database_is_listed_for_its_agency(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        created = await gateway.create_database("H50.20", "csdl-dat-dai", "CSDL đất đai")
        assert created["agency"] == "H50.20"
        listed = (await gateway.http.get("/api/v1/databases", params={"agency": "H50.20"})).json()
        assert [d["code"] for d in listed["items"]] == ["csdl-dat-dai"]

    async def test_same_code_in_another_agency_is_allowed_but_not_twice_in_one(
        self, gateway: Harness
    ) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_agency("H50.21", "Sở Xây dựng")
        await gateway.create_database("H50.20", "csdl-quy-hoach")
        await gateway.create_database("H50.21", "csdl-quy-hoach")
        again = await gateway.post(
            "/api/v1/databases", {"agency": "H50.20", "code": "csdl-quy-hoach", "name": "x"}
        )
        assert again.status_code == 409

    async def test_unknown_agency_is_refused(self, gateway: Harness) -> None:
        response = await gateway.post(
            "/api/v1/databases", {"agency": "H50.99", "code": "csdl-x", "name": "x"}
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:lgsp:error:unknown-reference"

    async def test_bad_code_is_refused_with_its_pointer(self, gateway: Harness) -> None:
        response = await gateway.post("/api/v1/databases", {"agency": "H50", "code": "CSDL Đất", "name": "x"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/code"


class TestRetireDatabase:
    async def test_retiring_records_when(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        response = await gateway.http.patch(
            "/api/v1/databases/H50.20/csdl-dat-dai", json={"status": "retired"}, headers=await gateway.admin()
        )
        assert response.status_code == 200
        assert response.json()["status"] == "retired"
        assert response.json()["retired_at"] is not None

        retired = (await gateway.http.get("/api/v1/databases", params={"status": "retired"})).json()
        assert retired["total"] == 1

"""API3 Broken object property-level authorisation: who may set which property, `null` never reaching a column
that cannot hold it, and a grant's allowed fields applied to what passes through."""

from typing import Any

from tests.harness import LAND_DATASET_ADDRESS, Harness, land_sharing, parcel
from tests.security.province import seed


class TestTierIsThePlatformsToSet:
    async def test_an_agency_admin_cannot_change_its_tier(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.patch(
            "/api/v1/agencies/H50.05", json={"tier": "district"}, headers=province.justice_admin
        )
        agency = await gateway.http.get("/api/v1/agencies/H50.05")
        assert response.status_code == 403
        assert agency.json()["tier"] == "department"

    async def test_an_agency_admin_may_still_rename_it(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.patch(
            "/api/v1/agencies/H50.05", json={"name": "Sở Tư pháp tỉnh"}, headers=province.justice_admin
        )
        assert response.status_code == 200

    async def test_the_platform_admin_can_change_a_tier(self, gateway: Harness) -> None:
        await seed(gateway)
        response = await gateway.http.patch(
            "/api/v1/agencies/H50.05", json={"tier": "district"}, headers=await gateway.admin()
        )
        assert (response.status_code, response.json()["tier"]) == (200, "district")


class TestNullInPatch:
    async def patch(self, gateway: Harness, path: str, body: dict[str, Any]) -> Any:
        return await gateway.http.patch(path, json=body, headers=await gateway.admin())

    async def test_null_for_an_agency_database_or_client_is_a_422_naming_the_field(
        self, gateway: Harness
    ) -> None:
        await seed(gateway)
        for path, body in [
            ("/api/v1/agencies/H50.05", {"name": None}),
            ("/api/v1/agencies/H50.05", {"tier": None}),
            ("/api/v1/databases/H50.20/csdl-dat-dai", {"description": None}),
            ("/api/v1/databases/H50.20/csdl-dat-dai", {"status": None}),
            ("/api/v1/clients/h50-05-portal", {"disabled": None}),
            ("/api/v1/clients/h50-05-portal", {"name": None}),
        ]:
            response = await self.patch(gateway, path, body)
            assert response.status_code == 422, (path, body, response.text)
            assert [error["pointer"] for error in response.json()["errors"]] == [f"/{next(iter(body))}"]

    async def test_null_clears_the_english_name_which_may_be_empty(self, gateway: Harness) -> None:
        await seed(gateway)
        response = await self.patch(gateway, "/api/v1/agencies/H50.05", {"name_en": None})
        assert (response.status_code, response.json()["name_en"]) == (200, None)


class TestShareGrantFields:
    async def test_records_with_fields_the_grant_does_not_allow_are_refused(self, gateway: Harness) -> None:
        publisher = await land_sharing(gateway)
        grants = await gateway.http.get(
            "/api/v1/grants?client_id=h50-20-connector", headers=await gateway.admin()
        )
        await gateway.http.delete(
            f"/api/v1/grants/{grants.json()['items'][0]['id']}", headers=await gateway.admin()
        )
        narrow = await gateway.post(
            "/api/v1/grants",
            {
                "client_id": "h50-20-connector",
                "address": LAND_DATASET_ADDRESS,
                "purpose": "Chỉ chia sẻ mã và diện tích",
                "fields": ["/parcel_id", "/commune_code", "/area_m2"],
            },
        )
        assert narrow.status_code == 201, narrow.text
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1)]}, headers=publisher
        )
        assert response.status_code == 422
        pointers = {error["pointer"] for error in response.json()["errors"]}
        assert pointers == {"/records/0/land_use", "/records/0/updated_at"}

    async def test_records_within_the_allowed_fields_are_accepted(self, gateway: Harness) -> None:
        publisher = await land_sharing(gateway)
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1)]}, headers=publisher
        )
        assert response.status_code == 202

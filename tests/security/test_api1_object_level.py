"""API1 Broken object-level authorisation: a client reads only the objects of its own agency, whether it asks by id
or by filter; an agency's admin client also those of the agencies below it."""

from tests.harness import LAND_ADDRESS, Harness
from tests.security.province import PORTAL, REQUEST, seed


class TestClientsOfOtherAgencies:
    async def test_a_consumer_cannot_read_a_sub_agencys_client_by_id(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.get("/api/v1/clients/h50-05-01-desk", headers=province.portal)
        assert response.status_code == 404

    async def test_a_consumer_cannot_list_a_sub_agencys_clients_by_filter(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.get("/api/v1/clients?agency=H50.05.01", headers=province.portal)
        assert response.status_code == 200
        assert {item["agency"] for item in response.json()["items"]} == {"H50.05"}

    async def test_a_consumer_cannot_read_another_departments_client(self, gateway: Harness) -> None:
        province = await seed(gateway)
        by_id = await gateway.http.get("/api/v1/clients/h50-20-clerk", headers=province.portal)
        listed = await gateway.http.get("/api/v1/clients?agency=H50.20", headers=province.portal)
        assert by_id.status_code == 404
        assert "h50-20-clerk" not in {item["client_id"] for item in listed.json()["items"]}

    async def test_an_agency_admin_sees_the_clients_below_it(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.get("/api/v1/clients?agency=H50.05.01", headers=province.justice_admin)
        assert [item["client_id"] for item in response.json()["items"]] == ["h50-05-01-desk"]


class TestGrantsOfOtherAgencies:
    async def test_a_client_below_cannot_read_its_parents_grant(self, gateway: Harness) -> None:
        province = await seed(gateway)
        grants = await gateway.http.get(f"/api/v1/grants?client_id={PORTAL}", headers=await gateway.admin())
        grant_id = grants.json()["items"][0]["id"]
        by_id = await gateway.http.get(f"/api/v1/grants/{grant_id}", headers=province.desk)
        listed = await gateway.http.get(f"/api/v1/grants?client_id={PORTAL}", headers=province.desk)
        assert by_id.status_code == 404
        assert listed.json()["items"] == []


class TestExchangesAndHealthOfOtherAgencies:
    async def test_another_agencys_exchange_is_not_found_nor_listed(self, gateway: Harness) -> None:
        province = await seed(gateway)
        call = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        exchange_id = call.headers["X-Exchange-ID"]
        by_id = await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=province.desk)
        listed = await gateway.http.get("/api/v1/exchanges?consumer=H50.05", headers=province.desk)
        assert by_id.status_code == 404
        assert exchange_id not in {item["id"] for item in listed.json()["items"]}

    async def test_service_health_by_api_is_limited_to_the_callers_agency(self, gateway: Harness) -> None:
        province = await seed(gateway)
        await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        response = await gateway.http.get("/api/v1/health/services", headers=province.desk)
        assert response.status_code == 200
        assert LAND_ADDRESS not in response.text

from tests.harness import FIXTURES, LAND_SERVICE, Harness, land_department, register_contract


class TestRegisterContract:
    async def test_registered_service_is_in_the_catalogue_with_its_openapi(self, gateway: Harness) -> None:
        await land_department(gateway)

        catalogue = (await gateway.http.get("/api/v1/catalogue")).json()
        assert [(e["address"], e["version"], e["provider_name"]) for e in catalogue] == [
            ("H50.20/tra-cuu-thua-dat/v1", "1.0.0", "Sở Tài nguyên và Môi trường")
        ]
        spec = (await gateway.http.get(catalogue[0]["specification"])).json()
        assert spec["openapi"].startswith("3.1")
        assert "/exchange/H50.20/tra-cuu-thua-dat/v1" in spec["paths"]
        whole = (await gateway.http.get("/api/v1/catalogue/openapi.json")).json()
        assert "/exchange/H50.20/tra-cuu-thua-dat/v1" in whole["paths"]

    async def test_same_document_twice_is_idempotent(self, gateway: Harness) -> None:
        await land_department(gateway)
        again = await register_contract(gateway, LAND_SERVICE)
        assert again.status_code == 200
        versions = (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat")).json()
        assert [v["version"] for v in versions[0]["versions"]] == ["1.0.0"]

    async def test_compatible_minor_version_becomes_the_latest(self, gateway: Harness) -> None:
        await land_department(gateway)
        response = await register_contract(gateway, FIXTURES / "tra-cuu-thua-dat-1.1.yaml")
        assert response.status_code == 201, response.text
        latest = (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat/v1")).json()
        assert latest["version"] == "1.1.0"
        exact = (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat/1.0.0")).json()
        assert exact["version"] == "1.0.0"

    async def test_json_document_is_accepted(self, gateway: Harness) -> None:
        import json

        import yaml

        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        document = yaml.safe_load(LAND_SERVICE.read_text())
        response = await gateway.http.post(
            "/api/v1/contracts",
            content=json.dumps(document, default=str),
            headers={**await gateway.admin(), "Content-Type": "application/json"},
        )
        assert response.status_code == 201, response.text


class TestBreakingVersionIsRefused:
    async def test_reasons_name_each_change_and_where(self, gateway: Harness) -> None:
        await land_department(gateway)
        response = await register_contract(gateway, FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml")
        assert response.status_code == 409
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:contract-incompatible"
        found = {(e["part"], e["pointer"]) for e in problem["errors"]}
        assert ("request", "/required") in found or any(e["part"] == "request" for e in problem["errors"])
        assert any(e["part"] == "response" and "area_m2" in e["pointer"] for e in problem["errors"])
        latest = (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat/v1")).json()
        assert latest["version"] == "1.0.0"

    async def test_the_same_change_as_a_new_major_is_accepted(self, gateway: Harness) -> None:
        await land_department(gateway)
        text = (
            (FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml")
            .read_text()
            .replace("version: 1.2.0", "version: 2.0.0")
        )
        response = await gateway.http.post(
            "/api/v1/contracts",
            content=text,
            headers={**await gateway.admin(), "Content-Type": "application/yaml"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["address"] == "H50.20/tra-cuu-thua-dat/v2"


class TestBadContracts:
    async def _post(self, gateway: Harness, text: str, content_type: str = "application/yaml") -> dict:
        response = await gateway.http.post(
            "/api/v1/contracts",
            content=text.encode(),
            headers={**await gateway.admin(), "Content-Type": content_type},
        )
        assert response.headers["content-type"] == "application/problem+json", response.text
        return {"status": response.status_code, **response.json()}

    async def test_malformed_yaml_names_the_line(self, gateway: Harness) -> None:
        problem = await self._post(gateway, "kind: service\ncode: [unclosed\n")
        assert problem["status"] == 422
        assert "line" in problem["detail"]

    async def test_example_that_does_not_match_is_pointed_at(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        text = LAND_SERVICE.read_text().replace("area_m2: 312.5", 'area_m2: "ba trăm"')
        problem = await self._post(gateway, text)
        assert problem["type"] == "urn:lgsp:error:contract-invalid"
        assert any(e["pointer"] == "/examples/0/response/area_m2" for e in problem["errors"])

    async def test_invalid_schema_is_refused(self, gateway: Harness) -> None:
        text = LAND_SERVICE.read_text().replace("map_sheet: { type: integer", "map_sheet: { type: integr")
        problem = await self._post(gateway, text)
        assert problem["type"] == "urn:lgsp:error:contract-invalid"

    async def test_unknown_database_is_an_unknown_reference(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        problem = await self._post(gateway, LAND_SERVICE.read_text())
        assert problem["status"] == 422
        assert problem["type"] == "urn:lgsp:error:unknown-reference"

    async def test_database_of_another_agency_is_refused(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_agency("H50.21", "Sở Xây dựng")
        await gateway.create_database("H50.21", "csdl-dat-dai")
        problem = await self._post(gateway, LAND_SERVICE.read_text())
        assert problem["type"] == "urn:lgsp:error:contract-invalid"
        assert problem["errors"][0]["pointer"] == "/database"

    async def test_oversized_document_is_refused(self, gateway: Harness) -> None:
        limit = gateway.settings.max_contract_bytes
        problem = await self._post(gateway, LAND_SERVICE.read_text() + "#" * limit)
        assert problem["status"] == 413

    async def test_other_media_types_are_refused(self, gateway: Harness) -> None:
        problem = await self._post(gateway, LAND_SERVICE.read_text(), content_type="text/plain")
        assert problem["status"] == 415

    async def test_changed_content_under_a_registered_version_is_a_conflict(self, gateway: Harness) -> None:
        await land_department(gateway)
        problem = await self._post(gateway, LAND_SERVICE.read_text().replace("Tra cứu thông tin", "Tra cứu"))
        assert problem["status"] == 409
        assert "immutable" in problem["detail"]


class TestContractWritesNeedAuthority:
    async def test_other_agencys_admin_cannot_register_for_the_provider(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_agency("H50.21", "Sở Xây dựng")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        client_id, secret = await gateway.create_client("H50.21", "h50-21-admin", role="agency_admin")
        response = await register_contract(gateway, LAND_SERVICE, await gateway.auth(client_id, secret))
        assert response.status_code == 403

    async def test_providers_own_admin_may_register(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        client_id, secret = await gateway.create_client("H50.20", "h50-20-admin", role="agency_admin")
        response = await register_contract(gateway, LAND_SERVICE, await gateway.auth(client_id, secret))
        assert response.status_code == 201


class TestDatasetContract:
    async def test_dataset_gets_an_asyncapi_document(self, gateway: Harness) -> None:
        await gateway.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
        await gateway.create_database("H50.20", "csdl-dat-dai")
        response = await register_contract(gateway, FIXTURES / "thua-dat-dataset.yaml")
        assert response.status_code == 201, response.text
        address = response.json()["address"]
        agency, code, major = address.split("/")
        spec = (await gateway.http.get(f"/api/v1/datasets/{agency}/{code}/{major}/asyncapi.json")).json()
        assert spec["asyncapi"].startswith("3.")
        listed = (await gateway.http.get("/api/v1/catalogue", params={"kind": "dataset"})).json()
        assert [e["address"] for e in listed] == [address]

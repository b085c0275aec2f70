"""API7 Server-side request forgery. The platform fetches no URL it is given today: connectors reach the gateway
over the bus (they are never called back at an address), and contract schemas are compiled with remote `$ref`
retrieval refused. These tests hold both: a schema pointing at a URL is refused without a fetch, and a callback or
backend URL is not accepted where the API has none."""

import yaml

from tests.harness import LAND_SERVICE, Harness, land_department, register_contract

METADATA_URL = "http://169.254.169.254/latest/meta-data/schema.json"


class TestRemoteReferences:
    async def test_a_contract_whose_schema_refers_to_a_url_is_refused(
        self, gateway: Harness, tmp_path
    ) -> None:  # type: ignore[no-untyped-def]
        await land_department(gateway)
        document = yaml.safe_load(LAND_SERVICE.read_text())
        document["version"] = "1.1.0"
        document["response"]["properties"]["owner"] = {"$ref": METADATA_URL}
        path = tmp_path / "remote-ref.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True))
        response = await register_contract(gateway, path)
        assert 400 <= response.status_code < 500, response.text
        assert response.status_code != 404


class TestNoCallbackUrls:
    async def test_a_client_takes_no_webhook_url(self, gateway: Harness) -> None:
        response = await gateway.post(
            "/api/v1/clients",
            {"agency": "H50", "name": "portal", "webhook_url": "http://127.0.0.1:5432/"},
        )
        assert response.status_code == 422

    async def test_a_contract_takes_no_backend_url(self, gateway: Harness, tmp_path) -> None:  # type: ignore[no-untyped-def]
        await land_department(gateway)
        document = yaml.safe_load(LAND_SERVICE.read_text())
        document["version"] = "1.1.0"
        document["backend_url"] = "http://10.0.0.1/internal"
        path = tmp_path / "backend.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True))
        response = await register_contract(gateway, path)
        assert response.status_code == 422, response.text

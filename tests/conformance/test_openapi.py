"""The OpenAPI documents, linted by Redocly's CLI (its recommended rules): the gateway's own, the catalogue's and
each demo service's. No errors; and none of the problems an independent run once found."""

import json
from typing import Any

from tests.conformance.conftest import DemoDocuments
from tests.conformance.tools import redocly_lint
from tests.harness import Harness

FOUND_BEFORE = {"security-defined", "no-empty-servers", "no-required-schema-properties-undefined"}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"}
    ]


class TestRedoclyLint:
    def test_no_errors_in_any_document(self, demo_documents: DemoDocuments) -> None:
        files = demo_documents.files("openapi-")
        assert len(files) >= 3
        problems = redocly_lint(files)
        errors = [f"{p['file']}: {p['ruleId']}: {p['message']}" for p in problems if p["severity"] == "error"]
        assert errors == []
        again = sorted({f"{p['file']}: {p['ruleId']}" for p in problems if p["ruleId"] in FOUND_BEFORE})
        assert again == []

    def test_the_linter_does_report_a_missing_security_scheme(self, demo_documents: DemoDocuments) -> None:
        """The check is live: the gateway's document with its schemes removed fails."""
        document = demo_documents.documents["openapi-gateway"]
        broken = {**document, "components": {**document["components"], "securitySchemes": {}}, "servers": []}
        path = demo_documents.directory / "broken.json"
        path.write_text(json.dumps(broken), encoding="utf-8")
        rules = {p["ruleId"] for p in redocly_lint([path]) if p["severity"] == "error"}
        assert {"security-defined", "no-empty-servers"} <= rules


class TestGatewaySecurity:
    def test_schemes_for_client_credentials_and_bearer_tokens(self, demo_documents: DemoDocuments) -> None:
        document = demo_documents.documents["openapi-gateway"]
        schemes = document["components"]["securitySchemes"]
        assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
        assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
        assert document["servers"][0]["url"]

    def test_each_operation_says_how_it_is_authorised(self, demo_documents: DemoDocuments) -> None:
        security = {
            (method, path): operation.get("security")
            for path, method, operation in operations(demo_documents.documents["openapi-gateway"])
        }
        assert all(value is not None for value in security.values())
        token = [{"oauth2": []}, {"bearer": []}]
        assert security["post", "/api/v1/agencies"] == token
        assert security["post", "/api/v1/clients"] == token
        assert security["get", "/api/v1/exchanges"] == token
        assert security["post", "/exchange/{agency}/{service}/v{major}"] == token
        assert security["post", "/share/{agency}/{dataset}/v{major}"] == token
        assert security["get", "/api/v1/coverage"] == []
        assert security["get", "/metrics"] == []

    async def test_the_document_matches_what_the_gateway_enforces(self, demo: Harness) -> None:
        assert (await demo.http.get("/api/v1/clients")).status_code == 401
        assert (await demo.http.get("/api/v1/coverage")).status_code == 200

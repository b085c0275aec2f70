"""API8 Security misconfiguration: the usual security headers on every kind of answer, CORS off unless origins are
configured, the interactive docs optional, and the demo's admin credentials only in demo mode."""

from collections.abc import AsyncIterator

import pytest

from tests.harness import LAND_ADDRESS, Harness, basic, gateway_settings, running_gateway

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture
async def production(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    settings = gateway_settings(database_url, tmp_path_factory.mktemp("data"), docs_enabled=False)
    async with running_gateway(settings) as harness:
        yield harness


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        "path", ["/api/v1/agencies", "/dashboard", "/metrics", "/api/v1/coverage.csv", "/nowhere"]
    )
    async def test_every_answer_carries_them(self, gateway: Harness, path: str) -> None:
        response = await gateway.http.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]

    async def test_the_exchange_path_carries_them(self, gateway: Harness) -> None:
        response = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json={})
        assert response.status_code == 401
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value

    async def test_the_dashboard_keeps_its_own_policy(self, gateway: Harness) -> None:
        response = await gateway.http.get("/dashboard")
        assert "style-src 'unsafe-inline'" in response.headers["content-security-policy"]


class TestCors:
    async def test_off_by_default(self, gateway: Harness) -> None:
        preflight = await gateway.http.options(
            "/api/v1/agencies",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        simple = await gateway.http.get("/api/v1/agencies", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-origin" not in simple.headers

    async def test_only_listed_origins_when_configured(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        settings = gateway_settings(
            database_url, tmp_path_factory.mktemp("data"), cors_origins=["https://portal.quangtri.gov.vn"]
        )
        async with running_gateway(settings) as harness:
            allowed = await harness.http.get(
                "/api/v1/agencies", headers={"Origin": "https://portal.quangtri.gov.vn"}
            )
            other = await harness.http.get("/api/v1/agencies", headers={"Origin": "https://evil.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://portal.quangtri.gov.vn"
        assert "access-control-allow-origin" not in other.headers


class TestDocs:
    async def test_docs_can_be_turned_off(self, production: Harness) -> None:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await production.http.get(path)).status_code == 404
        assert (await production.http.get("/api/v1/agencies")).status_code == 200

    async def test_docs_are_served_by_default(self, gateway: Harness) -> None:
        assert (await gateway.http.get("/openapi.json")).status_code == 200


class TestDemoCredentials:
    async def test_admin_admin_is_refused_outside_demo_mode(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic("admin", "admin")
        )
        assert response.status_code == 401

    async def test_admin_admin_works_in_demo_mode_without_configured_admin(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        settings = gateway_settings(
            database_url,
            tmp_path_factory.mktemp("data"),
            demo=True,
            admin_client_id=None,
            admin_client_secret=None,
        )
        async with running_gateway(settings) as harness:
            response = await harness.http.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic("admin", "admin")
            )
        assert response.status_code == 200

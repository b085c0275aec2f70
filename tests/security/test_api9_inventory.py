"""API9 Improper inventory management: every version's status is published in the registry, and a deprecated
version announces itself to its callers with `Deprecation` (RFC 9745) and, once its end is set, `Sunset` (RFC 8594)."""

from email.utils import parsedate_to_datetime

from tests.harness import LAND_ADDRESS, LAND_SERVICE, Harness
from tests.security.province import REQUEST, provider, seed

VERSION = "/api/v1/services/H50.20/tra-cuu-thua-dat/1.0.0"
REPLY = {
    "parcel_id": "19234-12-345",
    "area_m2": 312.5,
    "land_use": "ONT",
    "owner": {"full_name": "Nguyễn Văn An", "citizen_id": "045089001234"},
}


async def deprecate(gateway: Harness, **extra: str) -> None:
    response = await gateway.http.patch(
        VERSION, json={"status": "deprecated", **extra}, headers=await gateway.admin()
    )
    assert response.status_code == 200, response.text


class TestDeprecatedVersions:
    async def test_an_active_version_sends_no_notice(self, gateway: Harness) -> None:
        province = await seed(gateway)
        async with provider(gateway.app.state.runtime.bus, lambda _request: REPLY):
            call = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        assert call.status_code == 200
        assert "deprecation" not in call.headers

    async def test_calls_to_a_deprecated_version_carry_deprecation_and_sunset(self, gateway: Harness) -> None:
        province = await seed(gateway)
        await deprecate(gateway, sunset_at="2027-06-30T17:00:00+00:00")
        async with provider(gateway.app.state.runtime.bus, lambda _request: REPLY):
            call = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        assert call.status_code == 200
        assert call.headers["Deprecation"].startswith("@")
        assert parsedate_to_datetime(call.headers["Sunset"]).isoformat() == "2027-06-30T17:00:00+00:00"

    async def test_refused_after_its_sunset_and_logged(self, gateway: Harness) -> None:
        province = await seed(gateway)
        await deprecate(gateway, sunset_at="2026-01-01T00:00:00+00:00")
        async with provider(gateway.app.state.runtime.bus, lambda _request: REPLY):
            call = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        assert call.status_code == 410, call.text
        assert call.json()["type"] == "urn:lgsp:error:version-retired"
        assert "successor" not in call.json()  # no newer major is published
        record = await gateway.http.get(
            f"/api/v1/exchanges/{call.headers['x-exchange-id']}", headers=await gateway.admin()
        )
        assert (record.json()["address"], record.json()["http_status"]) == (LAND_ADDRESS, 410)

    async def test_after_its_sunset_the_newer_major_is_named(self, gateway: Harness) -> None:
        province = await seed(gateway)
        newer = LAND_SERVICE.read_text().replace("version: 1.0.0", "version: 2.0.0", 1)
        registered = await gateway.http.post(
            "/api/v1/contracts",
            content=newer.encode(),
            headers={**await gateway.admin(), "Content-Type": "application/yaml"},
        )
        assert registered.status_code == 201, registered.text
        await deprecate(gateway, sunset_at="2026-01-01T00:00:00+00:00")
        call = await gateway.http.post(f"/exchange/{LAND_ADDRESS}", json=REQUEST, headers=province.portal)
        assert call.status_code == 410, call.text
        assert call.json()["successor"] == "/exchange/H50.20/tra-cuu-thua-dat/v2"
        assert call.headers["Link"] == '</exchange/H50.20/tra-cuu-thua-dat/v2>; rel="successor-version"'

    async def test_the_registry_announces_it_too(self, gateway: Harness) -> None:
        await seed(gateway)
        await deprecate(gateway)
        response = await gateway.http.get(VERSION)
        assert response.json()["status"] == "deprecated"
        assert response.json()["deprecated_at"] is not None
        assert response.headers["Deprecation"].startswith("@")
        assert "Sunset" not in response.headers

    async def test_back_to_active_the_notice_goes(self, gateway: Harness) -> None:
        await seed(gateway)
        await deprecate(gateway, sunset_at="2027-06-30T17:00:00+00:00")
        await gateway.http.patch(VERSION, json={"status": "active"}, headers=await gateway.admin())
        response = await gateway.http.get(VERSION)
        assert "Deprecation" not in response.headers
        assert response.json()["sunset_at"] is None

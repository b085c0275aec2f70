"""The exchange path's dispatch straight from ASGI: which requests it takes, and that a bug still answers a problem."""

import pytest

from gateway.exchange.hotpath import hot_route
from tests.harness import LAND_ADDRESS, Harness, land_department


class TestWhichRequestsTakeTheHotPath:
    @pytest.mark.parametrize(
        ("path", "route"),
        [
            ("/exchange/H50.20/tra-cuu-thua-dat/v1", ("exchange", "H50.20", "tra-cuu-thua-dat", "1")),
            ("/share/H50.20/thua-dat/v2", ("share", "H50.20", "thua-dat", "2")),
            ("/exchange/H50.20/tra-cuu-thua-dat/1", None),
            ("/exchange/H50.20/tra-cuu-thua-dat/v1/more", None),
            ("/exchange//tra-cuu-thua-dat/v1", None),
            ("/api/v1/agencies", None),
            (
                "/api/v1/federation/exchange/H50.20/tra-cuu-thua-dat/v1",
                ("relay", "H50.20", "tra-cuu-thua-dat", "1"),
            ),
            ("/relay/H50.20/tra-cuu-thua-dat/v1", None),
            ("/api/v1/federation/exchange/H50.20/tra-cuu-thua-dat/v1/more", None),
        ],
    )
    def test_routes(self, path: str, route: tuple[str, ...] | None) -> None:
        assert hot_route(path) == route

    async def test_other_paths_under_exchange_are_fastapis_404_problem(self, gateway: Harness) -> None:
        response = await gateway.http.post(
            "/exchange/H50.20/x/v1/more", json={}, headers=await gateway.admin()
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_get_on_an_exchange_address_is_method_not_allowed(self, gateway: Harness) -> None:
        response = await gateway.http.get(f"/exchange/{LAND_ADDRESS}")
        assert response.status_code == 405
        assert response.json()["type"] == "urn:lgsp:error:method-not-allowed"


class TestUnexpectedFailure:
    async def test_a_bug_answers_a_500_problem_not_a_traceback(
        self, gateway: Harness, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await land_department(gateway)

        async def broken(inbound: object) -> object:
            raise RuntimeError("a bug")

        monkeypatch.setattr(gateway.app.state.calls, "call", broken)
        response = await gateway.http.post(
            f"/exchange/{LAND_ADDRESS}", json={}, headers=await gateway.admin()
        )
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:lgsp:error:internal"
        assert "a bug" not in response.text

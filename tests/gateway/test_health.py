from tests.harness import Harness


class TestHealth:
    async def test_liveness(self, gateway: Harness) -> None:
        assert (await gateway.http.get("/healthz")).json() == {"status": "ok"}

    async def test_readiness_checks_database_bus_and_log(self, gateway: Harness) -> None:
        response = await gateway.http.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {
            "database": "ok",
            "bus": "ok",
            "exchange_log": "ok",
            "warehouse": "ok",
        }

    async def test_not_ready_when_the_bus_is_down(self, gateway: Harness) -> None:
        await gateway.app.state.runtime.bus.stop()
        response = await gateway.http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["bus"] == "unavailable"

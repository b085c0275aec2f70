"""The coverage API's other forms (CSV, daily trend) and its answers to bad input."""

import csv
import io
from datetime import datetime, timedelta

import pytest

from registry.contracts.models import ContractStatus
from tests.gateway.coverage_scenario import TICK, Scenario, T
from tests.harness import Harness


async def _province(s: Scenario) -> None:
    """Three departments; exchanges spread over the weeks before T, a retirement and a late contract."""
    for code in ("H50.1", "H50.2", "H50.3"):
        await s.agency(code, name=f"Sở {code}")
    land = await s.database("H50.1", "dat-dai")
    business = await s.database("H50.2", "doanh-nghiep")
    old = await s.database("H50.2", "cu", retired_at=T - timedelta(days=4))
    late = await s.database("H50.3", "ho-tich", contract=False)
    await s.contract(late, "H50.3", version_created_at=T - timedelta(days=3))
    await s.database("H50.3", "chua-ket-noi")
    for days in (40, 20, 6, 1):
        await s.share(land, T - timedelta(days=days), delivered_at=T - timedelta(days=days))
    for days in (9, 9, 2):
        await s.call(business, T - timedelta(days=days))
    await s.share(old, T - timedelta(days=8), delivered_at=T - timedelta(days=8))
    await s.share(late, T - timedelta(days=5), delivered_at=T - timedelta(days=5))
    await s.call(late, T - timedelta(days=2, hours=1))


class TestCsv:
    async def test_one_row_per_database_matching_the_json(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await _province(s)
        report = await s.coverage()
        response = await gateway.http.get("/api/v1/coverage.csv", params={"at": T.isoformat()})

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["agency"], r["database"]) for r in rows] == [
            (d["agency"], d["code"]) for d in report["database_list"]
        ]
        land = next(r for r in rows if r["database"] == "dat-dai")
        assert (land["agency_name"], land["connected"], land["sharing"]) == ("Sở H50.1", "true", "true")
        unconnected = next(r for r in rows if r["database"] == "chua-ket-noi")
        assert (unconnected["connected"], unconnected["last_exchange_at"]) == ("false", "")


class TestTrend:
    async def test_each_point_is_the_coverage_at_the_end_of_its_day(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await _province(s)
        response = await gateway.http.get(
            "/api/v1/coverage/trend", params={"at": T.isoformat(), "days": 12, "window": "7d"}
        )
        assert response.status_code == 200, response.text
        points = response.json()["points"]

        assert len(points) == 12
        assert points[-1]["at"] == (await s.coverage(window="7d"))["at"]
        for point in points:
            report = await s.coverage(datetime.fromisoformat(point["at"]), window="7d")
            for figure in ("agency_coverage", "database_coverage", "databases"):
                assert point[figure] == report[figure], (point["day"], figure)
        assert len({str(p["databases"]) for p in points}) > 1  # the scenario changes over the period

    async def test_daily_counts_of_successful_exchanges(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await _province(s)
        response = await gateway.http.get("/api/v1/coverage/trend", params={"at": T.isoformat(), "days": 10})
        by_day = {
            p["day"]: (p["service_exchanges"], p["share_deliveries"]) for p in response.json()["points"]
        }

        assert by_day[str((T - timedelta(days=9)).date())] == (2, 0)
        assert by_day[str((T - timedelta(days=8)).date())] == (0, 1)
        assert by_day[str((T - timedelta(days=2)).date())] == (2, 0)
        assert sum(service + share for service, share in by_day.values()) == 8


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "parameter"),
        [
            ({"window": "thirty"}, "window"),
            ({"window": "0d"}, "window"),
            ({"window": "400d"}, "window"),
            ({"at": "yesterday"}, "at"),
            ({"at": "2999-01-01T00:00:00Z"}, "at"),
        ],
    )
    async def test_a_bad_window_or_time_is_a_problem_naming_the_parameter(
        self, gateway: Harness, params: dict[str, str], parameter: str
    ) -> None:
        response = await gateway.http.get("/api/v1/coverage", params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:invalid-input"
        assert problem["errors"][0]["parameter"] == parameter

    async def test_a_time_without_offset_is_vietnam_time(self, gateway: Harness) -> None:
        response = await gateway.http.get("/api/v1/coverage", params={"at": "2026-06-30T12:00:00"})
        assert response.status_code == 200
        assert response.json()["at"] == "2026-06-30T05:00:00Z"

    async def test_an_unencoded_plus_in_the_offset_is_understood(self, gateway: Harness) -> None:
        response = await gateway.http.get("/api/v1/coverage?at=2026-06-30T12:00:00+07:00")
        assert response.status_code == 200
        assert response.json()["at"] == "2026-06-30T05:00:00Z"

    async def test_too_many_trend_days_is_refused(self, gateway: Harness) -> None:
        response = await gateway.http.get("/api/v1/coverage/trend", params={"days": 1000})
        assert response.status_code == 422
        assert response.json()["errors"][0]["parameter"] == "days"


class TestWithdrawnLater:
    async def test_withdrawal_has_no_time_so_it_applies_to_every_t(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        database = await s.database("H50.1", "rut", contract=False)
        await s.contract(database, "H50.1", status=ContractStatus.WITHDRAWN)
        await s.call(database, T - TICK)
        assert (await s.coverage())["database_list"][0]["active_contracts"] == 0

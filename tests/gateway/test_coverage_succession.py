"""Coverage across a merger, with known answers: the old structure before the date, the new one on it and after."""

from datetime import datetime, timedelta
from typing import Any

from tests.gateway.coverage_scenario import VIETNAM, Scenario, T, agency
from tests.harness import Harness

MERGER = datetime(2026, 6, 20, tzinfo=VIETNAM)  # 20/06/2026, the start of the day in Vietnam
TICK = timedelta(microseconds=1)


async def merged_province(gateway: Harness) -> Scenario:
    """H50.1 (sharing) and H50.2 (not sharing) merged into a new H50.9 on 20/06/2026; H50.3 untouched."""
    s = Scenario(gateway)
    for code in ("H50.1", "H50.2", "H50.3"):
        await s.agency(code)
    await s.agency("H50.9", created_at=T + timedelta(days=1), name="Sở hợp nhất")  # registered after the date
    a_db = await s.database("H50.1", "a-db")
    await s.database("H50.2", "b-db")
    await s.database("H50.3", "c-db", contract=False)
    await s.share(a_db, MERGER - timedelta(days=2), delivered_at=MERGER - timedelta(days=2))
    response = await gateway.post(
        "/api/v1/agencies/merge", {"from": ["H50.1", "H50.2"], "into": "H50.9", "at": "2026-06-20"}
    )
    assert response.status_code == 200, response.text
    return s


def owners(report: dict[str, Any]) -> dict[str, str]:
    return {d["code"]: d["agency"] for d in report["database_list"]}


def departments(report: dict[str, Any]) -> list[str]:
    return [a["code"] for a in report["agencies"] if a["in_scope"]]


class TestCoverageAcrossAMerger:
    async def test_before_the_date_the_old_departments_count(self, gateway: Harness) -> None:
        s = await merged_province(gateway)
        report = await s.coverage(at=MERGER - TICK)
        assert departments(report) == ["H50.1", "H50.2", "H50.3"]
        assert report["agency_coverage"]["covered"] == 1
        assert report["agency_coverage"]["total"] == 3
        assert owners(report) == {"a-db": "H50.1", "b-db": "H50.2", "c-db": "H50.3"}
        assert agency(report, "H50.1")["databases"]["sharing"] == 1

    async def test_on_the_day_the_successor_counts_in_their_place(self, gateway: Harness) -> None:
        s = await merged_province(gateway)
        report = await s.coverage(at=MERGER)
        assert departments(report) == ["H50.3", "H50.9"]
        assert (report["agency_coverage"]["covered"], report["agency_coverage"]["total"]) == (1, 2)
        assert owners(report) == {"a-db": "H50.9", "b-db": "H50.9", "c-db": "H50.3"}
        assert agency(report, "H50.9")["databases"] == {"registered": 2, "connected": 1, "sharing": 1}

    async def test_after_the_date_the_new_structure_stays(self, gateway: Harness) -> None:
        s = await merged_province(gateway)
        report = await s.coverage(at=T)
        assert departments(report) == ["H50.3", "H50.9"]
        assert (report["agency_coverage"]["covered"], report["agency_coverage"]["total"]) == (1, 2)
        assert report["databases"]["registered"] == 3

    async def test_the_trend_changes_structure_on_the_day(self, gateway: Harness) -> None:
        s = await merged_province(gateway)
        response = await gateway.http.get(
            "/api/v1/coverage/trend", params={"days": 3, "at": (MERGER + timedelta(hours=12)).isoformat()}
        )
        assert response.status_code == 200, response.text
        totals = {p["day"]: p["agency_coverage"]["total"] for p in response.json()["points"]}
        # each point is measured at its day's end: the 19th's end is the merger's moment, so the new structure
        assert totals == {"2026-06-18": 3, "2026-06-19": 2, "2026-06-20": 2}
        assert s  # the scenario stays alive for the request above

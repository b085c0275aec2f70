"""The demo in its 2026 form: seeded as the province was in 2024, its departments merged on 1/3/2025 (Decree
45/2025/NĐ-CP), so coverage at a 2024 date counts the old departments and today's the merged ones."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from registry.demo import contract_files, load_contracts, load_province
from registry.demo.seed import seed_demo
from tests.harness import Harness

VIETNAM = timezone(timedelta(hours=7))
MERGED = {"H50.04", "H50.07", "H50.08", "H50.10", "H50.11"}
OLD_DEPARTMENTS = {f"H50.{n:02d}" for n in (*range(1, 18), 20, 21)}


async def seeded(gateway: Harness) -> None:
    async with gateway.app.state.sessionmaker() as session:
        report = await seed_demo(session)
    assert report.mergers == 5


async def coverage(gateway: Harness, at: datetime) -> dict[str, Any]:
    response = await gateway.http.get("/api/v1/coverage", params={"at": at.isoformat()})
    assert response.status_code == 200, response.text
    return dict(response.json())


def departments(report: dict[str, Any]) -> dict[str, str]:
    return {a["code"]: a["name"] for a in report["agencies"] if a["in_scope"]}


def owners(report: dict[str, Any]) -> dict[str, str]:
    return {d["code"]: d["agency"] for d in report["database_list"]}


class TestDemoCoverageAcrossTheReorganisation:
    async def test_at_the_end_of_2024_the_2024_departments_count(self, gateway: Harness) -> None:
        await seeded(gateway)
        report = await coverage(gateway, datetime(2024, 12, 31, 23, 59, tzinfo=VIETNAM))
        assert set(departments(report)) == OLD_DEPARTMENTS
        assert report["agency_coverage"]["total"] == 19
        assert departments(report)["H50.20"] == "Sở Tài nguyên và Môi trường"
        assert owners(report)["csdl-dang-ky-doanh-nghiep"] == "H50.04"

    async def test_from_1_march_2025_the_merged_departments_count(self, gateway: Harness) -> None:
        await seeded(gateway)
        for at in (datetime(2025, 3, 1, tzinfo=VIETNAM), datetime(2026, 12, 1, tzinfo=VIETNAM)):
            report = await coverage(gateway, at)
            assert set(departments(report)) == OLD_DEPARTMENTS - MERGED
            assert report["agency_coverage"]["total"] == 14
            assert departments(report)["H50.20"] == "Sở Nông nghiệp và Môi trường"
            assert owners(report)["csdl-dang-ky-doanh-nghiep"] == "H50.05"
            assert owners(report)["csdl-rung"] == "H50.20"

    async def test_the_merged_departments_remain_with_their_successor(self, gateway: Harness) -> None:
        await seeded(gateway)
        province = load_province()
        for code in sorted(MERGED):
            agency = (await gateway.http.get(f"/api/v1/agencies/{code}")).json()
            assert agency["merged_into"] == province.successor(code)
            assert agency["merged_at"].startswith("2025-02-28T17:00:00")

    async def test_seeding_again_changes_nothing(self, gateway: Harness) -> None:
        await seeded(gateway)
        async with gateway.app.state.sessionmaker() as session:
            report = await seed_demo(session)
        assert (report.agencies_created, report.agencies_updated, report.mergers) == (0, 0, 0)
        assert (report.databases_created, report.databases_updated, report.contracts_registered) == (0, 0, 0)


def contracts_of_2024(directory: Path) -> list[Path]:
    """The demo's contract files as they were before the reorganisation: published by the departments that
    held the databases in 2024."""
    province = load_province()
    paths = []
    for path, document in zip(contract_files(), load_contracts(), strict=True):
        entry = province.database_today(document.provider, document.database)
        assert entry is not None
        text = path.read_text(encoding="utf-8")
        text = text.replace(f"provider: {document.provider}\n", f"provider: {entry.agency}\n")
        target = directory / f"{entry.agency}--{document.code}--{document.version}.yaml"
        target.write_text(text, encoding="utf-8")
        paths.append(target)
    return paths


class TestADemoSeededBeforeTheReorganisation:
    async def test_is_brought_to_its_2026_form(self, gateway: Harness, tmp_path: Path) -> None:
        province_2024 = load_province().model_copy(update={"reorganisation": []})
        async with gateway.app.state.sessionmaker() as session:
            await seed_demo(session, province=province_2024, files=contracts_of_2024(tmp_path))
        old = await gateway.http.get("/api/v1/services/H50.04/tra-cuu-doanh-nghiep/v1")
        assert old.status_code == 200, old.text

        async with gateway.app.state.sessionmaker() as session:
            report = await seed_demo(session)
        assert (report.mergers, report.contracts_registered) == (5, 0)
        moved = (await gateway.http.get("/api/v1/services/H50.05/tra-cuu-doanh-nghiep")).json()
        assert [v["version"] for v in moved[0]["versions"]] == ["1.0.0", "1.1.0", "1.1.1"]
        report = await coverage(gateway, datetime(2026, 12, 1, tzinfo=VIETNAM))
        assert report["agency_coverage"]["total"] == 14

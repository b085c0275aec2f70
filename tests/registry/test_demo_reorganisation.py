"""The demo in its 2026 form: seeded as the province was in 2024, its departments merged on 1/3/2025 (Decree
45/2025/NĐ-CP) and Quảng Bình's into them on 1/7/2025 (the provinces' merger), so coverage at a 2024 date counts
the old departments, from March the merged ones, and from July their databases with Quảng Bình's."""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from registry.demo import contract_files, load_contracts, load_province
from registry.demo.seed import seed_demo
from tests.harness import Harness

VIETNAM = timezone(timedelta(hours=7))
MERGED = {"H50.04", "H50.07", "H50.08", "H50.10", "H50.11"}
MERGERS = 13  # five in Quảng Trị and two in Quảng Bình on 1/3/2025, six on 1/7/2025
QUANG_BINH_DATABASES = {
    "csdl-ho-tich-quang-binh": "H50.03",
    "csdl-dang-ky-doanh-nghiep-quang-binh": "H50.05",
    "csdl-tai-san-cong-quang-binh": "H50.05",
    "csdl-rung-quang-binh": "H50.20",
    "csdl-giao-duc-quang-binh": "H50.14",
    "csdl-tiem-chung-quang-binh": "H50.15",
    "csdl-dat-dai-quang-binh": "H50.20",
    "csdl-moi-truong-quang-binh": "H50.20",
}
OLD_DEPARTMENTS = {f"H50.{n:02d}" for n in (*range(1, 18), 20, 21)}


async def seeded(gateway: Harness) -> None:
    async with gateway.app.state.sessionmaker() as session:
        report = await seed_demo(session)
    assert report.mergers == MERGERS


async def coverage(gateway: Harness, at: datetime) -> dict[str, Any]:
    response = await gateway.http.get("/api/v1/coverage", params={"at": at.isoformat()})
    assert response.status_code == 200, response.text
    return dict(response.json())


def departments(report: dict[str, Any]) -> dict[str, str]:
    return {a["code"]: a["name"] for a in report["agencies"] if a["in_scope"]}


def owners(report: dict[str, Any]) -> dict[str, str]:
    return {d["code"]: d["agency"] for d in report["database_list"]}


class TestDemoCoverageAcrossTheProvincesMerger:
    """1/7/2025: Quảng Bình's departments merged into Quảng Trị's; the merged province's databases count from then."""

    async def test_before_on_and_after_1_july_2025(self, gateway: Harness) -> None:
        await seeded(gateway)
        first = (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat/v1")).json()
        assert (first["status"], first["sunset_at"] is not None) == ("deprecated", True)  # replaced by v2
        assert (await gateway.http.get("/api/v1/services/H50.20/tra-cuu-thua-dat/v2")).json()[
            "status"
        ] == "active"
        before = await coverage(gateway, datetime(2025, 6, 30, 23, 59, tzinfo=VIETNAM))
        on = await coverage(gateway, datetime(2025, 7, 1, tzinfo=VIETNAM))
        after = await coverage(gateway, datetime(2026, 12, 1, tzinfo=VIETNAM))
        for report in (before, on, after):
            assert set(departments(report)) == OLD_DEPARTMENTS - MERGED
            assert report["agency_coverage"]["total"] == 14
        assert set(owners(before)) & set(QUANG_BINH_DATABASES) == set()
        assert {code: owners(on)[code] for code in QUANG_BINH_DATABASES} == QUANG_BINH_DATABASES
        assert on["databases"]["registered"] == before["databases"]["registered"] + len(QUANG_BINH_DATABASES)
        assert after["databases"]["registered"] == on["databases"]["registered"]

    async def test_quang_binh_and_its_departments_remain_merged(self, gateway: Harness) -> None:
        await seeded(gateway)
        expected = {
            "H47": "H50",
            "H47.04": "H47.05",
            "H47.05": "H50.05",
            "H47.07": "H47.20",
            "H47.20": "H50.20",
        }
        for code, successor in expected.items():
            agency = (await gateway.http.get(f"/api/v1/agencies/{code}")).json()
            assert agency["merged_into"] == successor, code
        merged = (await gateway.http.get("/api/v1/agencies/H47.05")).json()
        assert merged["merged_at"].startswith("2025-06-30T17:00:00")


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
        assert (report.mergers, report.contracts_registered) == (MERGERS, 0)
        moved = (await gateway.http.get("/api/v1/services/H50.05/tra-cuu-doanh-nghiep")).json()
        assert [v["version"] for v in moved[0]["versions"]] == ["1.0.0", "1.1.0", "1.1.1"]
        report = await coverage(gateway, datetime(2026, 12, 1, tzinfo=VIETNAM))
        assert report["agency_coverage"]["total"] == 14

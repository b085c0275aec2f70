"""The dashboard's department pages, needs-action list and downloads, in-process on both backends: what an
officer acts from, with known answers."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError

from gateway.cli.errors import settings_problem
from gateway.exchangelog.models import Outcome
from gateway.settings import Settings
from registry.storage import utcnow
from tests.gateway.coverage_scenario import Scenario
from tests.gateway.test_coverage_succession import merged_province
from tests.harness import Harness, gateway_settings, running_gateway

DAY = timedelta(days=1)


async def province(s: Scenario) -> dict[str, int]:
    """Four departments: one sharing, one connected but not sharing (and failing), one whose last success is
    ten days old, one never connected; and one with no database at all."""
    now = utcnow()
    for code, name in (
        ("H50.20", "Sở Nông nghiệp và Môi trường"),
        ("H50.15", "Sở Tư pháp"),
        ("H50.18", "Sở Y tế"),
        ("H50.12", "Sở Nội vụ"),
        ("H50.9", "Sở Văn hóa, Thể thao và Du lịch"),
    ):
        await s.agency(code, name=name, created_at=now - 90 * DAY)
    ids = {
        "land": await s.database(
            "H50.20", "csdl-dat-dai", name="CSDL đất đai", created_at=now - 90 * DAY, contract_code="thua-dat",
            contract_kind="dataset",
        ),
        "justice": await s.database(
            "H50.15", "csdl-ly-lich", name="CSDL lý lịch tư pháp", created_at=now - 90 * DAY,
            contract_code="tra-cuu-ly-lich",
        ),
        "health": await s.database(
            "H50.18", "csdl-tiem-chung", name="CSDL tiêm chủng", created_at=now - 90 * DAY,
            contract_code="tra-cuu-tiem-chung",
        ),
        "staff": await s.database(
            "H50.12", "csdl-can-bo", name="CSDL cán bộ", created_at=now - 90 * DAY, contract=False
        ),
    }  # fmt: skip
    await s.share(ids["land"], now - 3 * DAY, delivered_at=now - 3 * DAY + timedelta(minutes=1))
    await s.share(ids["land"], now - timedelta(hours=2), delivered_at=now - timedelta(hours=1))
    for hours in range(1, 5):
        await s.call(ids["justice"], now - timedelta(hours=hours))
    for hours in range(5, 7):
        await s.call(ids["justice"], now - timedelta(hours=hours), outcome=Outcome.PROVIDER_ERROR)
    await s.call(ids["health"], now - 10 * DAY)
    return ids


def row(html: str, attributes: str, tag: str = "tr") -> str:
    """What the element (a table row unless said) with these attributes holds."""
    found = re.search(rf"<{tag} {attributes}>(.*?)</{tag}>", html, re.S)
    assert found is not None, attributes
    return found.group(1)


def rows(html: str, table: str) -> list[str]:
    body = re.search(rf'data-testid="{table}"[^>]*>(.*?)</table>', html, re.S)
    assert body is not None, table
    return re.findall(r"<tr (data-[^>]*)>", body.group(1))


class TestDepartmentPage:
    async def test_databases_services_last_exchange_and_what_blocks_counting(self, gateway: Harness) -> None:
        await province(Scenario(gateway))

        response = await gateway.http.get("/dashboard/agencies/H50.15")
        assert response.status_code == 200
        html = response.text
        assert "Sở Tư pháp" in html
        database = row(html, 'data-database="H50.15/csdl-ly-lich" data-state="connected"')
        assert 'data-endpoint="H50.15/tra-cuu-ly-lich/v1"' in database
        # the service's last success, in Vietnam time as dd/mm/yyyy
        assert re.search(r"gần nhất: \d{2}/\d{2}/\d{4} \d{2}:\d{2}", database)
        # it answers calls but has no dataset to share, so it does not count
        assert "chưa công bố bộ dữ liệu nào để chia sẻ vào Kho CSDL dùng chung" in database
        assert "hợp đồng" not in html

        staff = (await gateway.http.get("/dashboard/agencies/H50.12", params={"lang": "en"})).text
        assert "no service or dataset published to connect to" in staff
        assert "contract" not in staff.lower()

    async def test_a_sharing_department_counts_and_its_dataset_shows_its_last_share(
        self, gateway: Harness
    ) -> None:
        s = Scenario(gateway)
        await province(s)
        await s.database(
            "H50.20",
            "csdl-quy-hoach",
            name="CSDL quy hoạch",
            contract_kind="dataset",
            contract_code="quy-hoach",
        )
        html = (await gateway.http.get("/dashboard/agencies/H50.20")).text
        assert 'data-covered="true"' in html
        land = row(html, 'data-database="H50.20/csdl-dat-dai" data-state="sharing"')
        assert "đang được tính" in land
        assert re.search(r"H50.20/thua-dat/v1</code> — <span[^>]*>gần nhất: \d{2}/\d{2}/\d{4}", land)
        plan = row(html, 'data-database="H50.20/csdl-quy-hoach" data-state="not_connected"')
        assert "gần nhất: chưa có" in plan
        reasons = (
            "chưa có trao đổi thành công trong kỳ; chưa chia sẻ dữ liệu vào Kho CSDL dùng chung trong kỳ"
        )
        assert reasons in plan
        assert html.count("<svg") == 2  # its own trend

    async def test_an_unknown_department_is_a_page_saying_so(self, gateway: Harness) -> None:
        response = await gateway.http.get("/dashboard/agencies/H50.77", params={"lang": "en"})
        assert response.status_code == 404
        assert "The province has no department with code H50.77." in response.text


class TestNeedsAction:
    async def test_each_kind_of_problem_is_listed_once(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        html = (await gateway.http.get("/dashboard/actions")).text
        assert rows(html, "actions") == [
            'data-agency="H50.9" data-issue="no_database"',
            'data-agency="H50.12" data-issue="never_connected" data-database="H50.12/csdl-can-bo"',
            'data-agency="H50.15" data-issue="not_sharing" data-database="H50.15/csdl-ly-lich"',
            'data-agency="H50.18" data-issue="stale" data-database="H50.18/csdl-tiem-chung"',
        ]

    async def test_n_days_decides_what_is_stale(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        lenient = (await gateway.http.get("/dashboard/actions", params={"stale_days": "11"})).text
        assert 'data-issue="stale"' not in lenient
        strict = (
            await gateway.http.get("/dashboard/actions", params={"stale_days": "9", "issue": "stale"})
        ).text
        assert [r.split('"')[1] for r in rows(strict, "actions")] == ["H50.18"]

    async def test_filters_and_sorting_keep_each_other(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        html = (await gateway.http.get("/dashboard/actions", params={"agency": "H50.15", "lang": "en"})).text
        assert rows(html, "actions") == [
            'data-agency="H50.15" data-issue="not_sharing" data-database="H50.15/csdl-ly-lich"'
        ]
        by_issue = (
            await gateway.http.get("/dashboard/actions", params={"sort": "issue", "dir": "desc"})
        ).text
        assert [r.split('"')[3] for r in rows(by_issue, "actions")] == [
            "not_sharing", "stale", "never_connected", "no_database"
        ]  # fmt: skip
        # every heading link keeps the filter; the download links keep filter and sorting
        filtered = (
            await gateway.http.get(
                "/dashboard/actions", params={"issue": "stale", "sort": "name", "dir": "desc"}
            )
        ).text
        headings = re.findall(r'<th scope="col"[^>]*><a href="([^"]+)"', filtered)
        assert headings
        assert all("issue=stale" in h for h in headings)
        assert 'href="/dashboard/actions.csv?issue=stale&amp;sort=name&amp;dir=desc"' in filtered

    async def test_bad_filters_are_explained(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        unknown = await gateway.http.get("/dashboard/actions", params={"agency": "H50.77"})
        assert unknown.status_code == 422
        assert "agency: the province has no department H50.77" in unknown.text
        issue = await gateway.http.get("/dashboard/actions", params={"issue": "everything"})
        assert issue.status_code == 422
        assert "issue: &#39;everything&#39; is not one of" in issue.text
        days = await gateway.http.get("/dashboard/actions", params={"stale_days": "0"})
        assert days.status_code == 422
        assert days.json()["errors"][0]["parameter"] == "stale_days"
        download = await gateway.http.get("/dashboard/actions.csv", params={"agency": "H50.77"})
        assert download.status_code == 422
        assert download.headers["content-type"].startswith("application/problem+json")
        assert (await gateway.http.get("/dashboard/actions.pdf")).status_code == 422
        ancient = await gateway.http.get("/dashboard/agencies/H50.15", params={"at": "0001-03-15"})
        assert ancient.status_code == 422  # not a window counted back past the calendar's start
        assert "is before 2000-01-01" in ancient.text


class TestDownloads:
    async def test_csv_and_excel_hold_what_the_page_shows(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        params = {"issue": "not_sharing", "lang": "en"}
        csv_response = await gateway.http.get("/dashboard/actions.csv", params=params)
        assert csv_response.status_code == 200
        assert csv_response.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv_response.headers["content-disposition"]
        table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        assert table[0][:5] == ["Code", "Agency", "Database", "Address", "Issue"]
        assert [row[:5] for row in table[1:]] == [
            ["H50.15", "Sở Tư pháp", "CSDL lý lịch tư pháp", "H50.15/csdl-ly-lich", "Connected, not sharing"]
        ]

        xlsx = await gateway.http.get("/dashboard/actions.xlsx", params=params)
        assert xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        assert [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)] == table

    async def test_a_name_that_looks_like_a_formula_stays_text(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.3", name="Sở Xây dựng")
        formula = '=HYPERLINK("http://example.invalid","xem")'
        await s.database("H50.3", "csdl-xay-dung", name=formula, contract=False)
        csv_response = await gateway.http.get("/dashboard/actions.csv")
        table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        assert table[1][2] == "'" + formula
        xlsx = await gateway.http.get("/dashboard/actions.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet is not None
        cell = sheet.cell(row=2, column=3)
        assert cell.data_type == "s"
        assert cell.value == formula

    async def test_the_departments_table_in_its_sorted_order(self, gateway: Harness) -> None:
        await province(Scenario(gateway))
        response = await gateway.http.get(
            "/dashboard/departments.csv", params={"sort": "sharing", "dir": "desc"}
        )
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table[0][0] == "Mã"
        assert [row[0] for row in table[1:]] == ["H50.20", "H50.9", "H50.12", "H50.15", "H50.18"]


class TestChangeAgainstThePreviousWindow:
    async def test_departments_and_databases_gained_since_the_previous_window(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await province(s)
        html = (await gateway.http.get("/dashboard", params={"window": "7"})).text
        # H50.20 began sharing within the last 7 days; nothing shared in the 7 days before
        assert 'data-change="1"' in html
        assert "+1 đơn vị so với 7 ngày trước" in html
        english = (await gateway.http.get("/dashboard", params={"window": "7", "lang": "en"})).text
        assert "+1 departments since the previous 7 days" in english
        assert 'value="7"' in english
        assert ">days<" in english


class TestServiceHealth:
    async def test_each_service_is_named_with_its_department_and_error_rates_above_the_setting_stand_out(
        self, gateway: Harness
    ) -> None:
        await province(Scenario(gateway))
        html = (await gateway.http.get("/dashboard")).text
        justice = row(html, 'data-address="H50.15/tra-cuu-ly-lich/v1"')
        assert "Dịch vụ" in justice
        assert "Sở Tư pháp" in justice
        assert 'data-alert="true">33,3%<' in justice  # 2 of 6 calls failed, above the default 5%
        assert "data-alert" not in row(html, 'data-address="H50.20/thua-dat/v1"')
        assert "Nền đỏ: tỷ lệ lỗi trên 5%" in html
        assert "95% lượt trao đổi thành công được trả lời trong khoảng thời gian này" in html

        # the same platform with LGSP_DASHBOARD_ERROR_THRESHOLD=0.4: 33.3% no longer stands out
        settings = gateway_settings(
            gateway.settings.effective_database_url,
            gateway.settings.data_dir,
            instance_id="lenient",  # a second gateway beside the fixture's
            dashboard_error_threshold=0.4,
        )
        async with running_gateway(settings) as lenient:
            html = (await lenient.http.get("/dashboard", params={"lang": "en"})).text
        assert 'data-col="error-rate">33.3%<' in row(html, 'data-address="H50.15/tra-cuu-ly-lich/v1"')
        assert "data-alert" not in html
        assert "Red background: error rate above 40%" in html

    def test_the_setting_is_a_fraction_from_0_to_1(self) -> None:
        for wrong in (-0.1, 5):
            with pytest.raises(ValidationError) as refused:
                Settings(dashboard_error_threshold=wrong)
            assert settings_problem(refused.value).startswith(
                "invalid setting LGSP_DASHBOARD_ERROR_THRESHOLD: "
            )


class TestMergedDepartment:
    async def test_its_page_names_its_successor_and_the_date_and_the_list_drops_it_from_then(
        self, gateway: Harness
    ) -> None:
        await merged_province(gateway)  # H50.1 and H50.2 into H50.9 on 20/06/2026
        before, after = {"at": "2026-06-19T12:00"}, {"at": "2026-06-30T12:00"}

        page = await gateway.http.get("/dashboard/agencies/H50.1", params=after)
        assert page.status_code == 200
        merged = row(page.text, 'data-testid="agency-merged"', "p")
        assert "Sáp nhập vào" in merged
        assert "từ ngày 20/06/2026" in merged
        assert (
            '<a href="/dashboard/agencies/H50.9?at=2026-06-30T12%3A00" data-testid="successor">Sở hợp nhất</a>'
            in merged
        )
        english = (await gateway.http.get("/dashboard/agencies/H50.1", params=after | {"lang": "en"})).text
        assert "Merged into" in english
        assert "on 20 Jun 2026." in english

        # before the date it is a department like any other, its page saying what is to come
        earlier = await gateway.http.get("/dashboard/agencies/H50.1", params=before)
        assert 'data-testid="agency-databases"' in earlier.text
        assert "từ ngày 20/06/2026" in row(earlier.text, 'data-testid="agency-merged"', "p")

        def listed(html: str) -> list[str]:
            return re.findall(r'<tr data-agency="([^"]+)"', html)

        assert listed((await gateway.http.get("/dashboard", params=before)).text) == [
            "H50.1",
            "H50.2",
            "H50.3",
        ]
        assert listed((await gateway.http.get("/dashboard", params=after)).text) == ["H50.3", "H50.9"]
        never = await gateway.http.get("/dashboard/agencies/H50.4", params=after)
        assert never.status_code == 404


class TestDepartmentStatusFilter:
    async def test_the_departments_table_filtered_by_status_keeps_it_in_sorting_and_downloads(
        self, gateway: Harness
    ) -> None:
        await province(Scenario(gateway))
        html = (await gateway.http.get("/dashboard", params={"status": "not_sharing", "sort": "name"})).text
        assert re.findall(r'<tr data-agency="([^"]+)"', html) == ["H50.12", "H50.15", "H50.18"]  # by name
        headings = re.findall(r'<th scope="col"[^>]*><a href="([^"]+)"', html)
        assert len(headings) == 6
        assert all("status=not_sharing" in h for h in headings)
        assert 'href="/dashboard/departments.csv?sort=name&amp;status=not_sharing"' in html
        download = await gateway.http.get("/dashboard/departments.csv", params={"status": "no_database"})
        table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert [row[0] for row in table[1:]] == ["H50.9"]
        wrong = await gateway.http.get("/dashboard", params={"status": "green"})
        assert wrong.status_code == 422
        assert "status: &#39;green&#39; is not one of" in wrong.text

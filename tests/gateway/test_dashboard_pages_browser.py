"""The department page and the needs-action list in headless Chromium, served over real HTTP: reached by their
links, filtered and sorted without script, downloaded as shown, printed, in both languages and on a phone.
Screenshots and the printed PDF land in test-artifacts/."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('body *')]
        .filter(e => !e.closest('.table-wrap'))
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); })
        .map(e => e.tagName + '.' + e.className);
    return {width, pageWidth: document.documentElement.scrollWidth, outside};
}"""


@pytest.fixture
async def page(browser: Browser, served_province: LiveServer) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=LAPTOP, accept_downloads=True)
    yield await context.new_page()
    await context.close()


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


async def coverage(server: LiveServer) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get("/api/v1/coverage")
    assert response.status_code == 200
    return dict(response.json())


async def action_rows(page: Page) -> list[list[str]]:
    rows = await page.eval_on_selector_all(
        "[data-testid=actions] tbody tr",
        "rows => rows.map(r => [r.dataset.agency, r.dataset.issue, r.dataset.database || ''])",
    )
    return [list(row) for row in rows]


class TestDepartmentPage:
    async def test_reached_from_the_dashboard_in_both_languages(
        self, page: Page, served_province: LiveServer
    ) -> None:
        report = await coverage(served_province)
        await page.goto(f"{served_province.url}/dashboard")
        await page.get_by_role("link", name="Sở Tư pháp", exact=True).click()
        assert page.url.endswith("/dashboard/agencies/H50.15")
        assert await page.inner_text("[data-testid=agency-name]") == "Sở Tư pháp H50.15"

        shown = await page.eval_on_selector_all(
            "[data-testid=agency-databases] tbody tr", "rows => rows.map(r => r.dataset.database)"
        )
        assert shown == [
            f"{d['agency']}/{d['code']}" for d in report["database_list"] if d["agency"] == "H50.15"
        ]
        service = page.locator("[data-endpoint='H50.15/tra-cuu-ly-lich-tu-phap/v1']")
        assert "gần nhất: " in await service.inner_text()
        # the call-only database is connected but does not count: it has no dataset to share
        blocking = page.locator("[data-database='H50.15/csdl-ly-lich-tu-phap'] [data-col=blocking]")
        assert await blocking.inner_text() == "chưa công bố bộ dữ liệu nào để chia sẻ vào Kho CSDL dùng chung"
        assert await page.locator("svg.chart").count() == 2
        await screenshot(page, "department-vi")

        await page.get_by_role("link", name="English").click()
        assert "lang=en" in page.url
        assert await page.get_by_role("heading", name="The department's databases").is_visible()
        text = await blocking.inner_text()
        assert text == "no dataset published to share into the shared data warehouse"
        await screenshot(page, "department-en")


class TestDepartmentFilter:
    async def test_the_status_filter_survives_sorting_and_reaches_the_download(
        self, page: Page, served_province: LiveServer
    ) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        await page.select_option("select[name=status]", "not_sharing")
        await page.get_by_role("button", name="Xem").click()
        codes = "rows => rows.map(r => r.dataset.agency)"
        assert await page.eval_on_selector_all("[data-testid=departments] tbody tr", codes) == [
            "H50.6", "H50.9", "H50.12", "H50.18"
        ]  # fmt: skip
        await page.get_by_role("link", name="Đã đăng ký").click()
        assert "status=not_sharing" in page.url
        assert len(await page.eval_on_selector_all("[data-testid=departments] tbody tr", codes)) == 4
        async with page.expect_download() as download:
            await page.get_by_test_id("csv-link").click()
        saved = Path(await (await download.value).path()).read_text(encoding="utf-8-sig")
        assert sorted(row[0] for row in list(csv.reader(io.StringIO(saved)))[1:]) == [
            "H50.12", "H50.18", "H50.6", "H50.9"
        ]  # fmt: skip


class TestNeedsAction:
    async def test_filtered_and_sorted_by_links_and_a_form_without_script(
        self, browser: Browser, served_province: LiveServer
    ) -> None:
        context = await browser.new_context(viewport=LAPTOP, java_script_enabled=False)
        page = await context.new_page()
        await page.goto(f"{served_province.url}/dashboard?lang=en")
        await page.get_by_role("link", name="Needs action").click()
        everything = await action_rows(page)
        # known answers of the province: four databases never connected, three connected by calls only
        assert sorted(r[2] for r in everything if r[1] == "never_connected") == [
            "H50.10/csdl-giay-phep-dau-tu", "H50.12/csdl-can-bo-cong-chuc", "H50.18/csdl-tiem-chung",
            "H50.9/csdl-di-tich-le-hoi",
        ]  # fmt: skip
        assert sorted(r[2] for r in everything if r[1] == "not_sharing") == [
            "H50.15/csdl-ly-lich-tu-phap", "H50.20/csdl-moi-truong", "H50.6/csdl-giay-phep-lai-xe",
        ]  # fmt: skip

        await page.select_option("select[name=issue]", "not_sharing")
        await page.get_by_role("button", name="Filter").click()
        assert "issue=not_sharing" in page.url
        assert {r[1] for r in await action_rows(page)} == {"not_sharing"}

        await page.get_by_role("link", name=re.compile("^Database")).click()
        assert "issue=not_sharing" in page.url
        assert "sort=database" in page.url
        await page.get_by_role("link", name=re.compile("^Database")).click()  # its name now ends in ▲
        names = await page.eval_on_selector_all(
            "[data-testid=actions] tbody tr td:nth-child(3)",
            "cells => cells.map(c => c.firstChild.textContent)",
        )
        assert names == ["CSDL môi trường", "CSDL lý lịch tư pháp", "CSDL giấy phép lái xe"]  # descending

        await page.select_option("select[name=agency]", "H50.15")
        await page.get_by_role("button", name="Filter").click()
        assert await action_rows(page) == [["H50.15", "not_sharing", "H50.15/csdl-ly-lich-tu-phap"]]
        assert "sort=database" in page.url  # the form keeps the sorting
        await screenshot(page, "needs-action-en")

        await page.get_by_role("link", name="Tiếng Việt").click()
        assert "agency=H50.15" in page.url
        assert await page.inner_text("[data-testid=actions-count]") == "1 việc cần xử lý"
        await context.close()


class TestDownloads:
    async def test_csv_and_excel_links_download_what_is_on_screen(
        self, page: Page, served_province: LiveServer
    ) -> None:
        await page.goto(f"{served_province.url}/dashboard/actions?issue=never_connected&sort=name&dir=desc")
        shown = await action_rows(page)

        async with page.expect_download() as csv_download:
            await page.get_by_test_id("csv-link").click()
        saved = await (await csv_download.value).path()
        table = list(csv.reader(io.StringIO(Path(saved).read_text(encoding="utf-8-sig"))))
        assert table[0][:3] == ["Mã", "Cơ quan", "Cơ sở dữ liệu"]
        assert [[row[0], row[3]] for row in table[1:]] == [[r[0], r[2]] for r in shown]
        assert {row[4] for row in table[1:]} == {"Đã đăng ký, chưa từng kết nối"}

        async with page.expect_download() as xlsx_download:
            await page.get_by_test_id("xlsx-link").click()
        workbook = Path(await (await xlsx_download.value).path()).read_bytes()
        sheet = load_workbook(io.BytesIO(workbook)).active
        assert sheet is not None
        assert [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)] == table


class TestPrint:
    async def test_the_print_link_gives_the_print_layout(
        self, page: Page, served_province: LiveServer
    ) -> None:
        await page.goto(f"{served_province.url}/dashboard/actions")
        await page.get_by_test_id("print-link").click()
        assert "print=1" in page.url
        assert await page.locator(".print-hint").is_visible()
        assert await page.locator("form.filters").is_hidden()

        await page.emulate_media(media="print")
        assert await page.locator(".print-hint").is_hidden()
        assert await page.locator("nav.pages").is_hidden()
        wrap = await page.eval_on_selector(".table-wrap", "w => getComputedStyle(w).overflowX")
        assert wrap == "visible"  # the whole table on paper, not a scrolling box
        ARTIFACTS.mkdir(exist_ok=True)
        await page.pdf(path=ARTIFACTS / "needs-action-print.pdf", format="A4")
        await page.goto(f"{served_province.url}/dashboard/agencies/H50.20?print=1")
        await page.pdf(path=ARTIFACTS / "department-print.pdf", format="A4")


class TestPhone:
    @pytest.mark.parametrize("path", ["/dashboard/agencies/H50.20", "/dashboard/actions?lang=en"])
    async def test_nothing_overflows_a_phone(
        self, browser: Browser, served_province: LiveServer, path: str
    ) -> None:
        context = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = await context.new_page()
        response = await page.goto(f"{served_province.url}{path}")
        assert response is not None
        assert response.status == 200
        layout = await page.evaluate(OVERFLOW)
        name = "department-phone" if "agencies" in path else "needs-action-phone"
        await screenshot(page, name)
        await context.close()
        assert layout["width"] == PHONE["width"]
        assert layout["pageWidth"] <= layout["width"]
        assert layout["outside"] == []

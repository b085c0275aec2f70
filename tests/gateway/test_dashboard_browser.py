"""`GET /dashboard` in headless Chromium, served over real HTTP: the figures, sorting, language, phone layout,
no request beyond the gateway, and no JavaScript needed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from gateway.dashboard.messages import MESSAGES, Language
from tests.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def page(browser: Browser, served_province: LiveServer) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=LAPTOP)
    yield await context.new_page()
    await context.close()


async def api_coverage(server: LiveServer) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get("/api/v1/coverage")
    assert response.status_code == 200
    return dict(response.json())


def shown_percent(text: str) -> float:
    """'46,2%' or '46.2%' as 46.2."""
    match = re.fullmatch(r"(\d+)(?:[.,](\d))?%", text.strip())
    assert match, text
    return float(f"{match.group(1)}.{match.group(2) or 0}")


async def department_rows(page: Page) -> list[tuple[str, int, int, int]]:
    rows = await page.eval_on_selector_all(
        "[data-testid=departments] tbody tr",
        """rows => rows.map(r => [r.dataset.agency, ...['registered', 'connected', 'sharing']
               .map(c => Number(r.querySelector(`[data-col=${c}]`).textContent))])""",
    )
    return [tuple(row) for row in rows]


class TestHeadline:
    async def test_figures_match_the_coverage_api(self, page: Page, served_province: LiveServer) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        report = await api_coverage(served_province)

        for kind in ("agency", "database"):
            figure = report[f"{kind}_coverage"]
            card = page.locator(f"[data-figure={kind}-coverage]")
            assert float(await card.get_attribute("data-ratio") or "nan") == pytest.approx(figure["ratio"])
            assert shown_percent(await card.locator(".figure").inner_text()) == pytest.approx(
                figure["ratio"] * 100, abs=0.05
            )
            verdict = card.locator(".verdict")
            assert await verdict.get_attribute("data-met") == str(figure["met"]).lower()
            assert await verdict.inner_text() == ("Đạt mục tiêu" if figure["met"] else "Chưa đạt mục tiêu")
        for state in ("registered", "connected", "sharing"):
            shown = await page.locator(f"[data-count={state}]").inner_text()
            assert int(shown) == report["databases"][state]

    async def test_the_trend_is_drawn_inline(self, page: Page, served_province: LiveServer) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        assert await page.locator("svg.chart").count() == 2
        assert await page.locator("svg.chart polyline").count() == 2
        assert await page.locator("svg.chart rect.bar").count() > 0


class TestDepartmentTable:
    async def test_rows_match_the_coverage_api(self, page: Page, served_province: LiveServer) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        report = await api_coverage(served_province)

        expected = [
            (a["code"], a["databases"]["registered"], a["databases"]["connected"], a["databases"]["sharing"])
            for a in report["agencies"]
        ]
        assert await department_rows(page) == expected

    async def test_a_column_heading_sorts_the_rows(self, page: Page, served_province: LiveServer) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        by_code = await department_rows(page)

        await page.get_by_role("link", name="Đang chia sẻ").click()
        assert "sort=sharing" in page.url
        descending = await department_rows(page)
        assert [row[3] for row in descending] == sorted((row[3] for row in by_code), reverse=True)
        assert descending != by_code

        await page.get_by_role("link", name="Đang chia sẻ").click()
        ascending = await department_rows(page)
        assert [row[3] for row in ascending] == sorted(row[3] for row in by_code)
        heading = page.locator("th[aria-sort]")
        assert await heading.get_attribute("aria-sort") == "ascending"


class TestLanguage:
    async def test_english_on_request_and_vietnamese_by_default(
        self, page: Page, served_province: LiveServer
    ) -> None:
        await page.goto(f"{served_province.url}/dashboard")
        assert await page.get_attribute("html", "lang") == "vi"
        assert "Sở Tư pháp" in await page.inner_text("[data-testid=departments]")

        await page.get_by_role("link", name="English").click()
        assert "lang=en" in page.url
        assert await page.get_attribute("html", "lang") == "en"
        text = await page.inner_text("body")
        assert "Departments with databases connected and sharing through the LGSP" in text
        assert "Department of Justice" in text
        # The page's own words, without the registry's data (database names are Vietnamese in both languages):
        words = await page.evaluate(
            """() => { const copy = document.body.cloneNode(true);
                       copy.querySelectorAll('tbody').forEach(e => e.remove());
                       return copy.textContent; }"""
        )
        vietnamese_only = set(MESSAGES[Language.VI].values()) - set(MESSAGES[Language.EN].values())
        mixed = [m for m in vietnamese_only if "{" not in m and m in words]
        assert mixed == []


class TestLayout:
    async def test_on_a_phone_nothing_overflows_the_page_but_tables_scroll(
        self, browser: Browser, served_province: LiveServer
    ) -> None:
        context = await browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        page = await context.new_page()
        await page.goto(f"{served_province.url}/dashboard")
        layout = await page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                const outside = [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('.table-wrap'))
                    .filter(e => { const r = e.getBoundingClientRect();
                                   return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5); })
                    .map(e => e.tagName + '.' + e.className);
                const wrappers = [...document.querySelectorAll('.table-wrap')]
                    .map(w => ({scroll: w.scrollWidth, client: w.clientWidth}));
                return {width, pageWidth: document.documentElement.scrollWidth, outside, wrappers};
            }"""
        )
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "dashboard-phone.png", full_page=True)
        await context.close()

        assert layout["width"] == PHONE["width"]
        assert layout["pageWidth"] <= layout["width"]
        assert layout["outside"] == []
        assert any(w["scroll"] > w["client"] for w in layout["wrappers"])  # the wide tables scroll in place

    async def test_on_a_laptop_nothing_overflows(self, page: Page, served_province: LiveServer) -> None:
        response = await page.goto(f"{served_province.url}/dashboard")
        assert response is not None
        assert response.status == 200
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "dashboard-laptop.png", full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


class TestSelfContained:
    async def test_no_request_leaves_the_gateway_and_there_is_no_script(
        self, page: Page, served_province: LiveServer
    ) -> None:
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        for path in ("/dashboard", "/dashboard?lang=en", "/dashboard?sort=name&dir=desc"):
            response = await page.goto(f"{served_province.url}{path}", wait_until="networkidle")
            assert response is not None
            assert response.status == 200
            assert await page.evaluate("document.scripts.length") == 0
        assert requested
        assert [url for url in requested if not url.startswith(served_province.url + "/")] == []

    async def test_works_without_javascript(self, browser: Browser, served_province: LiveServer) -> None:
        context = await browser.new_context(viewport=LAPTOP, java_script_enabled=False)
        page = await context.new_page()
        await page.goto(f"{served_province.url}/dashboard")
        await page.get_by_role("link", name="Cơ quan", exact=True).click()
        assert "sort=name" in page.url
        await page.fill("input[name=window]", "7")
        await page.get_by_role("button", name="Xem").click()
        assert "window=7" in page.url
        assert "7 ngày" in await page.inner_text("[data-testid=period]")
        await context.close()

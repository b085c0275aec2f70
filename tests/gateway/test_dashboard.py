"""`GET /dashboard` in-process, on both backends: it renders the province's figures, and answers bad input."""

import re
from datetime import timedelta

from registry.storage import utcnow
from tests.gateway.coverage_scenario import Scenario
from tests.harness import LAND_ADDRESS, Harness, land_department


class TestPage:
    async def test_renders_the_figures_and_forbids_anything_external(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.20", name="Sở Tài nguyên và Môi trường")
        await s.agency("H50.15", name="Sở Tư pháp")
        land = await s.database("H50.20", "csdl-dat-dai", name="CSDL đất đai")
        await s.database("H50.15", "csdl-ho-tich", name="CSDL hộ tịch", contract=False)
        await s.share(land, utcnow() - timedelta(hours=2), delivered_at=utcnow() - timedelta(hours=1))
        await s.call(land, utcnow() - timedelta(minutes=30))

        response = await gateway.http.get("/dashboard")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in response.headers["content-security-policy"]
        html = response.text
        assert 'data-ratio="0.5"' in html  # one of the two departments shares
        assert "Chưa đạt mục tiêu" in html
        assert 'data-database="H50.15/csdl-ho-tich"' in html  # not connected: no contract
        assert "chưa công bố dịch vụ hoặc bộ dữ liệu nào để kết nối" in html
        assert f'data-address="{s.addresses[land]}"' in html  # its exchanges in the last 24 hours

    async def test_a_past_time_and_a_window(self, gateway: Harness) -> None:
        response = await gateway.http.get("/dashboard", params={"window": "7d", "at": "2026-06-30T12:00"})
        assert response.status_code == 200
        assert "Kỳ đo 7 ngày, đến 30/06/2026 12:00" in response.text


class TestTrendLabels:
    async def test_across_a_years_end_each_day_carries_its_year(self, gateway: Harness) -> None:
        params = {"at": "2026-01-03T12:00", "days": "7"}

        def ticks(html: str) -> list[str]:
            chart = re.search(r'<svg[^>]*aria-labelledby="trend-coverage-title".*?</svg>', html, re.S)
            assert chart is not None
            return re.findall(r'<text class="tick"[^>]*>([^<%]+)</text>', chart.group(0))

        vietnamese = (await gateway.http.get("/dashboard", params=params)).text
        assert ticks(vietnamese) == ["03/01/2026", "01/01/2026", "30/12/2025", "28/12/2025"]
        english = (await gateway.http.get("/dashboard", params=params | {"lang": "en"})).text
        assert ticks(english) == ["03 Jan 2026", "01 Jan 2026", "30 Dec 2025", "28 Dec 2025"]


class TestSorting:
    async def test_ties_stay_in_code_order_either_way(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        for code in ("H50.3", "H50.10", "H50.2", "H50.7"):
            await s.agency(code)
        for code in ("H50.10", "H50.7"):
            database = await s.database(code, "csdl")
            await s.share(database, utcnow() - timedelta(hours=2), delivered_at=utcnow() - timedelta(hours=1))

        def order(html: str) -> list[str]:
            return re.findall(r'<tr data-agency="([^"]+)"', html)

        default = await gateway.http.get("/dashboard")
        assert order(default.text) == ["H50.2", "H50.3", "H50.7", "H50.10"]
        descending = await gateway.http.get("/dashboard", params={"sort": "sharing", "dir": "desc"})
        assert order(descending.text) == ["H50.7", "H50.10", "H50.2", "H50.3"]
        ascending = await gateway.http.get("/dashboard", params={"sort": "sharing", "dir": "asc"})
        assert order(ascending.text) == ["H50.2", "H50.3", "H50.7", "H50.10"]


class TestBadInput:
    async def test_a_bad_window_is_explained_on_a_page(self, gateway: Harness) -> None:
        response = await gateway.http.get("/dashboard", params={"window": "forever", "lang": "en"})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert "Invalid parameter" in response.text
        assert "window: &#39;forever&#39; is not a number of days" in response.text

    async def test_an_unknown_language_or_sort_is_a_problem(self, gateway: Harness) -> None:
        for params in ({"lang": "fr"}, {"sort": "colour"}):
            response = await gateway.http.get("/dashboard", params=params)
            assert response.status_code == 422
            assert response.json()["errors"][0]["parameter"] in params


class TestAccessRequests:
    async def test_each_provider_and_its_page_show_its_waiting_requests_never_who_asks_or_why(
        self, gateway: Harness
    ) -> None:
        await land_department(gateway)
        await gateway.create_agency("H50.05", "Sở Tư pháp")
        await gateway.create_client("H50.05", "h50-05-portal")
        asked = {
            "client_id": "h50-05-portal",
            "address": LAND_ADDRESS,
            "purpose": "Mục đích riêng của bên yêu cầu",
            "legal_basis": "Điều 16 Nghị định 194/2025/NĐ-CP",
        }
        for _ in range(2):
            assert (await gateway.post("/api/v1/access-requests", asked)).status_code == 201

        html = (await gateway.http.get("/dashboard")).text
        row = re.search(r'<tr data-provider="H50.20">(.*?)</tr>', html, re.S)
        assert row is not None
        assert re.search(r'data-col="pending">2<', row.group(1))
        assert "2 yêu cầu đang chờ" in html
        assert "h50-05-portal" not in html
        assert "Mục đích riêng" not in html
        english = (await gateway.http.get("/dashboard", params={"lang": "en"})).text
        assert "2 requests wait for their provider" in english

        # the provider's own page: per service, likewise
        own = (await gateway.http.get("/dashboard/agencies/H50.20")).text
        service = re.search(rf'<tr data-address="{LAND_ADDRESS}">(.*?)</tr>', own, re.S)
        assert service is not None
        assert 'data-col="pending">2<' in service.group(1)
        assert "h50-05-portal" not in own
        assert "Mục đích riêng" not in own
        other = (await gateway.http.get("/dashboard/agencies/H50.05")).text
        assert "Không có yêu cầu nào đang chờ đơn vị quyết định." in other

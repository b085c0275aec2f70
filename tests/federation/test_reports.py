"""National monitoring with real processes: the national tier and two provinces, each sending its signed
coverage report; the national dashboard in the real browser, its JSON and CSV, forged, replayed and suspended
members' reports refused, and a member that stops reporting flagged."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from contracts.signing import SigningKey, generate_message_key, import_signing_key
from federation.signing import sign
from tests.federation.conftest import (
    PROVINCE_A,
    PROVINCE_B,
    Federation,
    Instance,
    handmade_report,
    wait_until,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser

REPORT_SECONDS = 4.0
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def federation_settings() -> dict[str, str]:
    return {"LGSP_FEDERATION_REPORT_SECONDS": str(REPORT_SECONDS), "LGSP_PUBLIC_CACHE_SECONDS": "0"}


def national_coverage(federation: Federation) -> dict[str, Any]:
    with federation.national.http(authenticated=False) as http:
        answer = http.get("/api/v1/federation/coverage")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def member_row(federation: Federation, code: str) -> dict[str, Any]:
    return next(m for m in national_coverage(federation)["members"] if m["code"] == code)


def own_coverage(instance: Instance) -> dict[str, Any]:
    with instance.http(authenticated=False) as http:
        return dict(http.get("/api/v1/coverage").json())


def federation_key(instance: Instance) -> SigningKey:
    return import_signing_key(json.loads((instance.directory / "federation-key.jwk").read_text()))


def post_report(federation: Federation, token: str) -> httpx.Response:
    with federation.national.http(authenticated=False) as http:
        return http.post("/api/v1/federation/reports", json={"report": token})


@pytest.fixture(scope="module")
def reported(published: Federation) -> Federation:
    """Both members have reported at least once (in the background, every REPORT_SECONDS)."""
    for code in (PROVINCE_A, PROVINCE_B):
        wait_until(lambda c=code: member_row(published, c)["received_at"])
    return published


class TestReportOnDemand:
    def test_a_report_sent_by_the_cli_arrives_with_the_members_own_figures(
        self, reported: Federation
    ) -> None:
        done = reported.a.lgsp("federation", "report", "--json")
        assert done.returncode == 0, done.stderr
        sent = json.loads(done.stdout)
        own = own_coverage(reported.a)
        row = member_row(reported, PROVINCE_A)
        assert sent["member"] == PROVINCE_A
        assert row["reported_at"] >= sent["reported_at"]
        assert row["stale"] is False
        for kind in ("agency_coverage", "database_coverage"):
            assert (row[kind]["covered"], row[kind]["total"]) == (own[kind]["covered"], own[kind]["total"])
            assert row[kind]["total"] == 1  # A's department H50.98 and its database
        assert row["databases"] == own["databases"]
        assert len(row["trend"]) == 30

    def test_the_cli_prints_what_the_national_tier_accepted_as_a_table(self, reported: Federation) -> None:
        done = reported.a.lgsp("federation", "report")
        assert done.returncode == 0, done.stderr
        assert PROVINCE_A in done.stdout
        assert "0/1 (0.0%)" in done.stdout

    def test_sending_needs_the_platform_admin(self, reported: Federation) -> None:
        with reported.a.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/reports/send")
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)

    def test_the_national_tier_has_no_national_tier_to_report_to(self, reported: Federation) -> None:
        done = reported.national.lgsp("federation", "report")
        assert done.returncode != 0
        assert "no national tier" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1

    def test_a_province_keeps_no_national_coverage(self, reported: Federation) -> None:
        with reported.a.http(authenticated=False) as http:
            answer = http.get("/api/v1/federation/coverage")
        assert answer.status_code == 404
        assert answer.json()["type"] == "urn:lgsp:error:not-national-tier"


class TestJsonAndCsvAgree:
    def test_the_csv_holds_the_json_figures_of_every_member(self, reported: Federation) -> None:
        with reported.national.http(authenticated=False) as http:
            found = http.get("/api/v1/federation/coverage").json()
            answer = http.get("/api/v1/federation/coverage.csv")
        assert answer.headers["content-type"].startswith("text/csv")
        rows = {row["member"]: row for row in csv.DictReader(io.StringIO(answer.text))}
        assert set(rows) == {PROVINCE_A, PROVINCE_B}
        for member in found["members"]:
            row = rows[member["code"]]
            for kind in ("agency", "database"):
                figure = member[f"{kind}_coverage"]
                assert int(row[f"{kind}_covered"]) == figure["covered"]
                assert int(row[f"{kind}_total"]) == figure["total"]
            for state in ("registered", "connected", "sharing"):
                assert int(row[state]) == member["databases"][state]
            assert row["status"] == member["status"] == "active"
        totals = found["agency_coverage"]
        assert totals["total"] == sum(int(r["agency_total"]) for r in rows.values())


class TestNationalDashboardInTheBrowser:
    @pytest.mark.browser
    @pytest.mark.parametrize(
        ("lang", "title", "active"),
        [("vi", "Theo dõi kết nối, chia sẻ dữ liệu toàn quốc", "đang hoạt động"),
         ("en", "National data connection and sharing", "active")],
    )  # fmt: skip
    async def test_every_member_shows_with_its_reported_figures(
        self, browser: Browser, reported: Federation, lang: str, title: str, active: str
    ) -> None:
        context = await browser.new_context(viewport={"width": 1366, "height": 900})
        page = await context.new_page()
        try:
            await page.goto(f"{reported.national.url}/dashboard?lang={lang}")
            found = national_coverage(reported)
            assert await page.locator("h1").inner_text() == title
            for member in found["members"]:
                row = page.locator(f"[data-member='{member['code']}']")
                assert await row.locator("[data-col=status]").inner_text() == active
                shown = row.locator("[data-col=agency] [data-ratio]")
                assert float(await shown.get_attribute("data-ratio") or "nan") == pytest.approx(
                    member["agency_coverage"]["ratio"]
                )
                assert await row.get_attribute("data-stale") == "false"
                assert await row.locator("[data-col=trend] svg polyline").count() == 2
                assert await row.locator("[data-col=last_report]").inner_text() != ""
            card = page.locator("[data-figure=agency-coverage]")
            assert float(await card.get_attribute("data-ratio") or "nan") == pytest.approx(
                found["agency_coverage"]["ratio"]
            )
            assert await page.locator("svg.chart polyline").count() == 2
            ARTIFACTS.mkdir(exist_ok=True)
            await page.screenshot(path=ARTIFACTS / f"national-dashboard-{lang}.png", full_page=True)
        finally:
            await context.close()


class TestRefusedReports:
    def test_a_report_signed_by_another_key_is_refused_and_not_shown(self, reported: Federation) -> None:
        forged = sign(handmade_report(PROVINCE_A, 7), generate_message_key("Ed25519"))
        answer = post_report(reported, forged)
        assert answer.status_code == 401
        assert answer.json()["type"] == "urn:lgsp:error:federation-signature-invalid"
        assert member_row(reported, PROVINCE_A)["agency_coverage"]["covered"] != 7

    def test_a_replayed_or_older_report_is_refused(self, reported: Federation) -> None:
        key = federation_key(reported.a)
        token = sign(handmade_report(PROVINCE_A, 0), key)
        assert post_report(reported, token).status_code == 201
        again = post_report(reported, token)
        assert again.status_code == 409
        assert again.json()["type"] == "urn:lgsp:error:federation-message-replayed"
        older = post_report(reported, sign(handmade_report(PROVINCE_A, 0, iat=time.time() - 60), key))
        assert older.status_code == 409
        assert older.json()["type"] == "urn:lgsp:error:report-not-newer"

    def test_a_report_signed_long_ago_is_refused(self, reported: Federation) -> None:
        stale = sign(handmade_report(PROVINCE_A, 0, iat=time.time() - 3600), federation_key(reported.a))
        assert post_report(reported, stale).status_code == 401

    def test_a_signed_payload_that_is_no_report_is_a_422_problem(self, reported: Federation) -> None:
        token = sign(
            {"member": PROVINCE_A, "iat": time.time(), "jti": str(uuid.uuid4()), "coverage": "all"},
            federation_key(reported.a),
        )
        answer = post_report(reported, token)
        assert answer.status_code == 422
        assert answer.json()["type"] == "urn:lgsp:error:invalid-input"

    def test_a_report_that_is_no_signed_document_is_a_401_problem(self, reported: Federation) -> None:
        answer = post_report(reported, "not a signed report")
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)

    def test_a_platform_that_is_no_member_is_refused(self, reported: Federation) -> None:
        answer = post_report(reported, sign(handmade_report("H77", 7), generate_message_key("Ed25519")))
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:not-a-member"

    def test_a_suspended_members_reports_are_refused(self, reported: Federation) -> None:
        national = reported.national
        assert national.lgsp("federation", "suspend", PROVINCE_B).returncode == 0
        try:
            answer = post_report(reported, sign(handmade_report(PROVINCE_B, 7), federation_key(reported.b)))
            assert answer.status_code == 403
            assert answer.json()["type"] == "urn:lgsp:error:not-a-member"
            wait_until(lambda: reported.b.status()["member_status"] == "suspended")
            done = reported.b.lgsp("federation", "report")
            assert done.returncode != 0
            assert len(done.stderr.strip().splitlines()) == 1
            row = member_row(reported, PROVINCE_B)
            assert row["status"] == "suspended"
            assert row["agency_coverage"]["covered"] != 7
        finally:
            assert national.lgsp("federation", "resume", PROVINCE_B).returncode == 0
        wait_until(lambda: reported.b.status()["member_status"] == "active")


class TestSilentMemberIsFlagged:
    def test_a_member_that_stops_reporting_is_flagged_after_two_periods(self, reported: Federation) -> None:
        assert member_row(reported, PROVINCE_B)["received_at"]
        reported.b.process.stop()
        row = wait_until(lambda: (found := member_row(reported, PROVINCE_B))["stale"] and found, timeout=30)
        assert row["status"] == "active"
        with reported.national.http(authenticated=False) as http:
            page = http.get("/dashboard?lang=en").text
            table = http.get("/api/v1/federation/coverage.csv").text
        assert f'data-member="{PROVINCE_B}" data-stale="true"' in page
        assert "Not reporting" in page
        rows = {row["member"]: row for row in csv.DictReader(io.StringIO(table))}
        assert rows[PROVINCE_B]["stale"] == "true"

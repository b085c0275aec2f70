"""National monitoring: each member sends the national tier its coverage, signed by its federation key, every
LGSP_FEDERATION_REPORT_SECONDS and on demand; the national tier verifies, keeps every report, and shows them."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import InvalidInput, LgspError
from federation.errors import NotAMember, NotFederated
from federation.models import MemberStatus
from federation.replay import accept_once
from federation.reports_models import FederationReport
from federation.reports_repository import ReportRepository
from federation.repository import MemberRepository
from federation.runtime import Federation
from federation.service import FRESHNESS_SECONDS, MemberFederation, NationalFederation
from federation.signing import SignatureRefused, fresh, key_set, peek, sign, verify
from gateway.coverage.schemas import CoverageRatio, DatabaseCounts
from gateway.coverage.service import CoverageService
from gateway.coverage.window import Window
from gateway.exchangelog.repository import ExchangeRepository
from gateway.exchangelog.rollups import VIETNAM
from gateway.nationalcoverage.schemas import (
    MemberCoverage,
    MemberReport,
    MemberTrendPoint,
    NationalCoverage,
    NationalTrendPoint,
    ReportAccepted,
    ReportedCoverage,
    ReportedDepartment,
)
from gateway.settings import Settings
from registry.auth import Principal
from registry.storage import utcnow

TREND_DAYS = 30
STALE_PERIODS = 2  # a member whose last report is older than this many periods is flagged


class ReportNotNewer(LgspError):
    """A report no newer than the last one accepted from the member: a replay, or sent out of order."""

    name, status, title = "report-not-newer", 409, "The report is not newer than the last one"


async def federation_calls(session: AsyncSession, window: Window) -> int:
    """Calls across the federation in the window that this member took part in (origin or provider), answered."""
    return await ExchangeRepository(session).count_crossing(window.start, window.at)


class MemberReports:
    """A member's side: its coverage now, signed, sent to the national tier."""

    def __init__(self, session: AsyncSession, federation: Federation, settings: Settings) -> None:
        self.session = session
        self.federation = federation
        self.settings = settings

    async def compose(self) -> dict[str, Any]:
        window = Window(utcnow(), self.settings.coverage_window_days)
        coverage = CoverageService(
            self.session, province=self.settings.province, target=self.settings.coverage_target
        )
        report = await coverage.report(window)
        trend = await coverage.trend(TREND_DAYS, window)
        figures = ReportedCoverage(
            **report.model_dump(exclude={"agencies", "database_list", "window_start"}),
            departments=[ReportedDepartment(**a.model_dump()) for a in report.agencies],
        )
        return {
            "member": self.federation.config.code,
            "iat": time.time(),
            "jti": str(uuid.uuid4()),
            "coverage": figures.model_dump(mode="json"),
            "trend": [point.model_dump(mode="json") for point in trend.points],
            "federation_calls": await federation_calls(self.session, window),
        }

    async def send(self, principal: Principal | None = None) -> dict[str, Any]:
        """Send the report now (`principal`: a platform admin asking; None: the background task)."""
        if principal is not None:
            principal.require_admin()
        config = self.federation.config
        if config.is_national or not config.national_url:
            raise NotFederated("this platform has no national tier (LGSP_NATIONAL_URL) to report to")
        member = MemberFederation(self.session, self.federation)
        code = config.code
        directory = member.directory
        if directory is None or not directory.is_active(code):
            version = directory.version if directory else None
            raise NotAMember(
                f"{code} is not an active member in the verified federation directory (version {version})"
            )
        token = sign(await self.compose(), self.federation.key)
        answer: dict[str, Any] = await member._send("/api/v1/federation/reports", {"report": token})
        return answer


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class NationalReports:
    """The national tier's side: reports verified and kept, and the national coverage built from them."""

    def __init__(self, session: AsyncSession, federation: Federation, settings: Settings) -> None:
        NationalFederation(session, federation)  # refuses on a platform that is not the national tier
        self.session = session
        self.settings = settings
        self.members = MemberRepository(session)
        self.reports = ReportRepository(session)

    async def receive(self, token: str) -> ReportAccepted:
        code = peek(token).get("member")
        member = await self.members.get(str(code)[:35]) if isinstance(code, str) else None
        if member is None or member.status not in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED):
            raise NotAMember(f"{str(code)[:40]} is not a member of the federation")
        payload = verify(token, key_set(member.keys))
        if not fresh(payload, FRESHNESS_SECONDS):
            raise SignatureRefused("the report is not fresh (its iat is missing or too far from now)")
        await accept_once(self.session, payload, "coverage report", member.code, FRESHNESS_SECONDS)
        if member.status != MemberStatus.ACTIVE:
            raise NotAMember(f"member {member.code} is {member.status}: its reports are refused")
        try:
            report = MemberReport.model_validate(payload)
        except ValidationError as exc:
            errors = [
                {"pointer": "/" + "/".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()[:20]
            ]
            raise InvalidInput("the report is not a coverage report", errors=errors) from None
        reported_at = _moment(report.iat)
        last = await self.reports.latest(member.code)
        if last is not None and reported_at <= last.reported_at:
            raise ReportNotNewer(f"member {member.code} has already reported at or after this report's time")
        figures = report.coverage
        row = FederationReport(
            member_code=member.code,
            reported_at=reported_at,
            agency_covered=figures.agency_coverage.covered,
            agency_total=figures.agency_coverage.total,
            database_covered=figures.database_coverage.covered,
            database_total=figures.database_coverage.total,
            registered=figures.databases.registered,
            connected=figures.databases.connected,
            sharing=figures.databases.sharing,
            federation_calls=report.federation_calls,
            document=report.model_dump(mode="json"),
        )
        await self.reports.add(row)
        await self.session.commit()
        return ReportAccepted(
            member=member.code,
            reported_at=row.reported_at,
            received_at=row.received_at,
            agency_coverage=figures.agency_coverage,
            database_coverage=figures.database_coverage,
            databases=figures.databases,
            federation_calls=report.federation_calls,
        )

    async def coverage(self) -> NationalCoverage:
        now = utcnow()
        period = self.settings.federation_report_seconds
        target = self.settings.coverage_target
        latest = await self.reports.latest_each()
        members = [
            m
            for m in await self.members.listed()
            if m.status in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED)
        ]
        rows = [self._member(m.code, m.name, str(m.status), latest.get(m.code), now, period) for m in members]
        counted = [latest[m.code] for m in members if m.status == MemberStatus.ACTIVE and m.code in latest]
        return NationalCoverage(
            at=now,
            report_seconds=period,
            stale_after_seconds=STALE_PERIODS * period,
            target=target,
            agency_coverage=CoverageRatio.of(
                sum(r.agency_covered for r in counted), sum(r.agency_total for r in counted), target
            ),
            database_coverage=CoverageRatio.of(
                sum(r.database_covered for r in counted), sum(r.database_total for r in counted), target
            ),
            databases=DatabaseCounts(
                registered=sum(r.registered for r in counted),
                connected=sum(r.connected for r in counted),
                sharing=sum(r.sharing for r in counted),
            ),
            federation_calls=sum(r.federation_calls for r in counted),
            members=rows,
            trend=await self._trend(now, target),
        )

    @staticmethod
    def _member(
        code: str, name: str, status: str, report: FederationReport | None, now: datetime, period: float
    ) -> MemberCoverage:
        stale = report is None or now - report.received_at > timedelta(seconds=STALE_PERIODS * period)
        if report is None:
            return MemberCoverage(
                code=code, name=name, status=status, reported_at=None, received_at=None, stale=stale,
                agency_coverage=None, database_coverage=None, databases=None, departments_with_databases=None,
                federation_calls=0, trend=[],
            )  # fmt: skip
        document = MemberReport.model_validate(report.document)
        figures = document.coverage
        return MemberCoverage(
            code=code,
            name=name,
            status=status,
            reported_at=report.reported_at,
            received_at=report.received_at,
            stale=stale,
            agency_coverage=figures.agency_coverage,
            database_coverage=figures.database_coverage,
            databases=figures.databases,
            departments_with_databases=figures.departments_with_databases,
            federation_calls=report.federation_calls,
            trend=[
                MemberTrendPoint(
                    day=p.day, agency_ratio=p.agency_coverage.ratio, database_ratio=p.database_coverage.ratio
                )
                for p in document.trend
            ],
        )

    async def _trend(self, now: datetime, target: float) -> list[NationalTrendPoint]:
        """One point per Vietnam day: the sums of each member's last report by the day's end."""
        today = now.astimezone(VIETNAM).date()
        first = today - timedelta(days=TREND_DAYS - 1)
        start = datetime.combine(first, datetime.min.time(), VIETNAM)
        known = {r.member_code: r for r in await self.reports.before(start)}
        later = list(await self.reports.since(start))
        points, taken = [], 0
        for offset in range(TREND_DAYS):
            day = first + timedelta(days=offset)
            end = min(start + timedelta(days=offset + 1), now)
            while taken < len(later) and later[taken].reported_at <= end:
                known[later[taken].member_code] = later[taken]
                taken += 1
            reports = list(known.values())
            points.append(
                NationalTrendPoint(
                    day=day,
                    members=len(reports),
                    agency_coverage=CoverageRatio.of(
                        sum(r.agency_covered for r in reports), sum(r.agency_total for r in reports), target
                    ),
                    database_coverage=CoverageRatio.of(
                        sum(r.database_covered for r in reports),
                        sum(r.database_total for r in reports),
                        target,
                    ),
                )
            )
        return points

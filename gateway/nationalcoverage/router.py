"""/api/v1/federation/reports and /coverage: members' signed coverage reports, and the national coverage built
from them (public, as the dashboard)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import Response

from federation.runtime import Federation
from gateway.coverage.freshness import public_cache
from gateway.nationalcoverage.export import national_csv
from gateway.nationalcoverage.schemas import NationalCoverage, ReportAccepted, SignedReport
from gateway.nationalcoverage.service import MemberReports, NationalReports
from gateway.settings import Settings
from registry.auth import ManagerPrincipal
from registry.deps import SessionDep
from registry.storage import utcnow

router = APIRouter(prefix="/api/v1/federation", tags=["federation"])


def national_reports(request: Request, session: SessionDep) -> NationalReports:
    federation: Federation = request.app.state.federation
    settings: Settings = request.app.state.settings
    return NationalReports(session, federation, settings)


def member_reports(request: Request, session: SessionDep) -> MemberReports:
    return MemberReports(session, request.app.state.federation, request.app.state.settings)


async def cached_coverage(request: Request, reports: NationalReports) -> NationalCoverage:
    """The national coverage computed at most once per LGSP_PUBLIC_CACHE_SECONDS: its readers are anonymous."""
    return await public_cache(request.app.state).get(("national-coverage",), reports.coverage)


NationalReportsDep = Annotated[NationalReports, Depends(national_reports)]
MemberReportsDep = Annotated[MemberReports, Depends(member_reports)]


@router.post("/reports", status_code=status.HTTP_201_CREATED, response_model=ReportAccepted)
async def receive_report(data: SignedReport, reports: NationalReportsDep) -> ReportAccepted:
    """(national tier) A member's coverage report, signed by its federation key; kept with every earlier one."""
    return await reports.receive(data.report)


@router.post("/reports/send", response_model=ReportAccepted)
async def send_report(reports: MemberReportsDep, principal: ManagerPrincipal) -> Any:
    """(member, platform admin) Send this platform's coverage to the national tier now."""
    return await reports.send(principal)


@router.get("/coverage", response_model=NationalCoverage)
async def national_coverage(request: Request, reports: NationalReportsDep) -> NationalCoverage:
    """(national tier, public) Every member's last reported coverage, when it reported, and the national trend;
    at most LGSP_PUBLIC_CACHE_SECONDS old."""
    return await cached_coverage(request, reports)


@router.get("/coverage.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def national_coverage_csv(request: Request, reports: NationalReportsDep) -> Response:
    """(national tier, public) The same, one CSV row per member."""
    filename = f"federation-coverage-{utcnow():%Y%m%d}.csv"
    return Response(
        national_csv(await cached_coverage(request, reports)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

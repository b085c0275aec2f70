"""`GET /api/v1/coverage`, `/coverage.csv`, `/coverage/trend`: the province's published coverage figures.

Public, as the figure the province publishes: it names registered agencies and databases (public in the
registry already) and counts exchanges, never their content or their consumers.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gateway.coverage.export import coverage_csv
from gateway.coverage.schemas import CoverageReport, CoverageTrend
from gateway.coverage.service import CoverageService
from gateway.coverage.window import MAX_WINDOW_DAYS, Window, parse_at, parse_days
from gateway.settings import Settings
from registry.deps import SessionDep
from registry.storage import utcnow

router = APIRouter(prefix="/api/v1", tags=["coverage"])

RULES = """Window W (whole days, default `LGSP_COVERAGE_WINDOW_DAYS`) ending at T (default now), Vietnam days:

- **registered**: a database of the province created at or before T and not retired at T (planned ones count:
  they are in the inventory, not yet connected);
- **connected** (kết nối): registered, with at least one contract version in use at T (an endpoint and a
  non-withdrawn version created by T), and at least one successful exchange in (T − W, T]: a service call
  answered ok, or a share delivered to the warehouse;
- **sharing** (chia sẻ): registered, with at least one share delivered to the warehouse in (T − W, T];
- **agency coverage**: departments with at least one sharing database / departments of the province. The
  departments (sở, ban, ngành) are the agencies of tier `department` one code group below `LGSP_PROVINCE`
  (H50.20 under H50), whether or not they have registered a database yet: a department that has registered
  nothing has connected nothing. Databases of units below a department count towards it.
  `departments_with_databases` gives the other denominator;
- **database coverage**: sharing databases / registered databases of the province;
- both against `LGSP_COVERAGE_TARGET` (default 0.6, Quảng Trị's 2025 goal: mục tiêu 60%).

Computed from the registry and the daily rollups of the exchange log (exact at the window's edges), so any past
T gives the figure as it was then. The registry keeps no time of withdrawal: a contract version withdrawn
since counts as withdrawn at every T."""


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def coverage_window(
    request: Request,
    window: Annotated[
        str | None,
        Query(description=f"W in whole days, 1d to {MAX_WINDOW_DAYS}d (default 30d)", examples=["30d"]),
    ] = None,
    at: Annotated[
        str | None,
        Query(
            description="T, ISO 8601 (default now; without an offset, Vietnam time; not in the future)",
            examples=["2025-12-31T23:59:59+07:00"],
        ),
    ] = None,
) -> Window:
    settings = _settings(request)
    return Window(parse_at(at, utcnow()), parse_days(window, settings.coverage_window_days))


def coverage_service(request: Request, session: SessionDep) -> CoverageService:
    settings = _settings(request)
    return CoverageService(session, province=settings.province, target=settings.coverage_target)


CoverageWindow = Annotated[Window, Depends(coverage_window)]
CoverageServiceDep = Annotated[CoverageService, Depends(coverage_service)]


@router.get("/coverage", response_model=CoverageReport, summary="Coverage of the province", description=RULES)
async def coverage(window: CoverageWindow, service: CoverageServiceDep) -> CoverageReport:
    return await service.report(window)


@router.get(
    "/coverage.csv",
    summary="Coverage, one CSV row per database",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def coverage_as_csv(window: CoverageWindow, service: CoverageServiceDep) -> Response:
    report = await service.report(window)
    filename = f"coverage-{report.province}-{window.last_day:%Y%m%d}.csv"
    return Response(
        coverage_csv(report.model_dump(mode="json")),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


MAX_TREND_DAYS = 92  # each day is a coverage computation: a quarter is the longest trend one request may ask


@router.get("/coverage/trend", response_model=CoverageTrend, summary="Coverage per day")
async def coverage_trend(
    window: CoverageWindow,
    service: CoverageServiceDep,
    days: Annotated[int, Query(ge=1, le=MAX_TREND_DAYS, description="how many days, ending on T's day")] = 30,
) -> CoverageTrend:
    """The figures at the end of each of the last `days` Vietnam days (the last one at T), each over a window
    of W, with that day's successful service calls and share deliveries."""
    return await service.trend(days, window)

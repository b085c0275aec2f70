"""`GET /dashboard`: coverage against the target, departments, databases not connected, the daily trend and
the health of each service, as one HTML page (Vietnamese by default, `?lang=en`); with it, a page per department
(`department_router`), the needs-action list (`actions_router`), and their tables as CSV or Excel.

Public, like `GET /api/v1/coverage`: its health section shows per-service volume, error rate and latency, never
consumers or contents. Everything is inline (CSS, SVG); a Content-Security-Policy forbids anything else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from contracts.errors import InvalidInput
from gateway.coverage.freshness import public_cache
from gateway.dashboard import formatting as fmt
from gateway.dashboard.actions import ActionsQuery
from gateway.dashboard.actions_router import router as actions_router
from gateway.dashboard.department_router import router as department_router
from gateway.dashboard.export import download
from gateway.dashboard.messages import Translator
from gateway.dashboard.pages import (
    DaysParam,
    DirectionParam,
    ExportKind,
    PageParams,
    PrintParam,
    coverage_service,
    enum_filter,
    error,
    figures,
    filter_query,
    measured_window,
    report_page,
)
from gateway.dashboard.view import (
    DepartmentStatus,
    PageQuery,
    SortColumn,
    SortDirection,
    access_request_panel,
    change,
    dead_letter_panel,
    department_rows,
    headings,
    health_rows,
    not_connected,
    trend_charts,
    warehouse_panel,
)
from gateway.exchangehealth.repository import Period
from gateway.exchangehealth.service import HealthService
from gateway.metrics.warehouse import warehouse_lag
from gateway.runtime import GatewayRuntime
from gateway.settings import Settings
from registry.access.service import AccessRequestService
from registry.deps import SessionDep
from registry.storage import utcnow
from warehouse.deadletters import DeadLetterCount

router = APIRouter(tags=["dashboard"])
router.include_router(department_router)
router.include_router(actions_router)
HEALTH_PERIOD = timedelta(hours=24)


@dataclass
class DepartmentsParams(PageParams):
    """The departments table's parameters, shared by the dashboard and the table's download."""

    sort: SortColumn = SortColumn.CODE
    direction: DirectionParam = SortDirection.ASC
    status: Annotated[str | None, filter_query(DepartmentStatus)] = None

    def query(self, print: bool = False) -> PageQuery:
        """Raises InvalidInput for a status the table does not have."""
        status = enum_filter("status", DepartmentStatus, self.status)
        return PageQuery(
            self.lang, self.window or None, self.at or None, self.sort, self.direction, status, print=print
        )


DepartmentsDep = Annotated[DepartmentsParams, Depends()]


async def _dead_letter_counts(request: Request) -> list[DeadLetterCount]:
    runtime: GatewayRuntime = request.app.state.runtime

    async def counts() -> list[DeadLetterCount]:
        return await (await runtime.warehouse_store()).dead_letters.counts()

    return await public_cache(request.app.state).get(("dead-letters",), counts)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    session: SessionDep,
    params: DepartmentsDep,
    days: DaysParam = 30,
    print: PrintParam = False,
) -> HTMLResponse:
    lang = params.lang
    t = Translator(lang)
    try:
        query = params.query(print)
        measured = measured_window(request, params)
    except InvalidInput as problem:
        return error(lang, 422, problem.detail)
    report, before, endpoints = await figures(request, session, measured, params)

    async def own_figures() -> tuple[Any, Any]:
        coverage = coverage_service(request, session)
        period = Period(measured.at - HEALTH_PERIOD, measured.at)
        return await coverage.trend(days, measured), await HealthService(session).report(period)

    # public figures at most LGSP_PUBLIC_CACHE_SECONDS old; sorting and language are applied per request
    trend, health = await public_cache(request.app.state).get(
        ("dashboard", params.window, params.at, days), own_figures
    )
    settings: Settings = request.app.state.settings
    trend_coverage, trend_exchanges = trend_charts(trend, settings.coverage_target, t)
    warehouse = warehouse_panel(
        await warehouse_lag(request.app.state), settings.warehouse_lag_degraded_seconds, t
    )
    dead_letters = dead_letter_panel(await _dead_letter_counts(request), utcnow(), t)

    async def pending() -> list[tuple[str, int, datetime]]:
        return await AccessRequestService(session).pending_by_provider()

    access = access_request_panel(
        await public_cache(request.app.state).get(("access-pending",), pending), report, utcnow(), t
    )
    changes = {
        "agency": t(
            "change_agency",
            change=change(report.agency_coverage.covered, before.agency_coverage.covered, lang),
            days=measured.days,
        ),
        "database": t(
            "change_database",
            change=change(report.database_coverage.covered, before.database_coverage.covered, lang),
            days=measured.days,
        ),
        "agency_value": report.agency_coverage.covered - before.agency_coverage.covered,
        "database_value": report.database_coverage.covered - before.database_coverage.covered,
    }
    return report_page(
        "dashboard.html",
        query,
        "/dashboard",
        report,
        measured,
        downloads="/dashboard/departments",
        changes=changes,
        at_input=fmt.local_input(measured.at) if query.at else "",
        headings=headings(query, t),
        statuses=list(DepartmentStatus),
        departments=department_rows(report, query, t),
        not_connected=not_connected(report, t),
        trend_days=days,
        trend_coverage=trend_coverage,
        trend_exchanges=trend_exchanges,
        health=health_rows(health, endpoints, settings.dashboard_error_threshold, t),
        alert_threshold=fmt.percent(settings.dashboard_error_threshold, lang),
        warehouse=warehouse,
        dead_letters=dead_letters,
        access=access,
        actions_url=ActionsQuery(lang, query.window, query.at).url(),
    )


@router.get("/dashboard/departments.{kind}", response_class=Response)
async def departments_download(
    request: Request, session: SessionDep, kind: ExportKind, params: DepartmentsDep
) -> Response:
    """The departments table as the dashboard shows it (same window, status, sorting and language)."""
    t = Translator(params.lang)
    query = params.query()
    measured = measured_window(request, params)
    report, _, _ = await figures(request, session, measured, params)
    rows = department_rows(report, query, t)
    header = [t(f"col_{column.value}") for column in SortColumn]
    keys = ("code", "name", "registered", "connected", "sharing", "last_exchange")
    table = [[str(row[k]) for k in keys] for row in rows]
    name = f"departments-{report.province}-{measured.last_day:%Y%m%d}"
    return download(name, kind, t("departments"), header, table)

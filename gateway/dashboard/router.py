"""`GET /dashboard`: coverage against the target, departments, databases not connected, the daily trend and
the health of each service, as one HTML page (Vietnamese by default, `?lang=en`); a page per department
(`/dashboard/agencies/{code}`), the needs-action list (`/dashboard/actions`), and their tables as CSV or Excel.

Public, like `GET /api/v1/coverage`: its health section shows per-service volume, error rate and latency, never
consumers or contents. Everything is inline (CSS, SVG); a Content-Security-Policy forbids anything else.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from contracts.errors import InvalidInput
from gateway.coverage.freshness import public_cache
from gateway.coverage.schemas import CoverageReport
from gateway.coverage.service import CoverageService
from gateway.coverage.window import Window, invalid_parameter, parse_at, parse_days
from gateway.dashboard import department as dept
from gateway.dashboard import formatting as fmt
from gateway.dashboard.actions import (
    DEFAULT_STALE_DAYS,
    ActionColumn,
    ActionsQuery,
    Direction,
    Issue,
    action_headings,
    action_rows,
    action_table,
    actions,
    select_actions,
)
from gateway.dashboard.export import download
from gateway.dashboard.messages import Language, Translator
from gateway.dashboard.view import (
    ERROR_RATE_ALERT,
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
from registry.history import EndpointHistory, EndpointRow
from registry.storage import utcnow
from warehouse.deadletters import DeadLetterCount

router = APIRouter(tags=["dashboard"])
templates = Environment(
    loader=PackageLoader("gateway.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEALTH_PERIOD = timedelta(hours=24)
WindowParam = Annotated[str | None, Query(description="W in whole days, e.g. 30 or 30d")]
AtParam = Annotated[str | None, Query(description="T, ISO 8601 (default now; no offset: Vietnam time)")]
PrintParam = Annotated[bool, Query(description="the print layout on screen too")]
DaysParam = Annotated[int, Query(ge=7, le=90, description="days in the trend")]
IssueParam = Annotated[str | None, Query(description=f"one of {', '.join(Issue)}; empty: all")]
AgencyParam = Annotated[str | None, Query(max_length=35, description="a department's code; empty: all")]
StatusParam = Annotated[str | None, Query(description=f"one of {', '.join(DepartmentStatus)}; empty: all")]
StaleParam = Annotated[
    int, Query(ge=1, le=366, description="N: a last success older than N days needs action")
]


class ExportKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _page(template: str, status: int = 200, **context: object) -> HTMLResponse:
    html = templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": POLICY})


def _error(lang: Language, status: int, message: str, heading: str | None = None) -> HTMLResponse:
    t = Translator(lang)
    back = PageQuery(lang).url()
    return _page("error.html", status, t=t, lang=lang, message=message, heading=heading, back=back)


def _window(request: Request, window: str | None, at: str | None) -> Window:
    settings: Settings = request.app.state.settings
    return Window(parse_at(at, utcnow()), parse_days(window, settings.coverage_window_days))


def _coverage(request: Request, session: SessionDep) -> CoverageService:
    settings: Settings = request.app.state.settings
    return CoverageService(session, province=settings.province, target=settings.coverage_target)


async def _figures(
    request: Request, session: SessionDep, measured: Window, key: tuple[Any, ...]
) -> tuple[CoverageReport, CoverageReport, list[EndpointRow]]:
    """The report at T, the one a window earlier (for the change), and the province's services: cached."""
    settings: Settings = request.app.state.settings
    coverage = _coverage(request, session)

    async def compute() -> tuple[CoverageReport, CoverageReport, list[EndpointRow]]:
        before = Window(measured.start, measured.days)
        return (
            await coverage.report(measured),
            await coverage.report(before),
            await EndpointHistory(session).endpoints(settings.province, measured.at),
        )

    return await public_cache(request.app.state).get(("figures", *key), compute)


async def _dead_letter_counts(request: Request) -> list[DeadLetterCount]:
    runtime: GatewayRuntime = request.app.state.runtime

    async def counts() -> list[DeadLetterCount]:
        return await (await runtime.warehouse_store()).dead_letters.counts()

    return await public_cache(request.app.state).get(("dead-letters",), counts)


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    session: SessionDep,
    lang: Language = Language.VI,
    window: WindowParam = None,
    at: AtParam = None,
    sort: SortColumn = SortColumn.CODE,
    direction: Annotated[SortDirection, Query(alias="dir")] = SortDirection.ASC,
    days: DaysParam = 30,
    print: PrintParam = False,
    status: StatusParam = None,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    t = Translator(lang)
    try:
        query = PageQuery(lang, window or None, at or None, sort, direction, print, _status(status))
        measured = _window(request, window, at)
    except InvalidInput as error:
        return _error(lang, 422, error.detail)
    report, before, endpoints = await _figures(request, session, measured, (window, at))

    async def figures() -> tuple[Any, Any]:
        coverage = _coverage(request, session)
        period = Period(measured.at - HEALTH_PERIOD, measured.at)
        return await coverage.trend(days, measured), await HealthService(session).report(period)

    # public figures at most LGSP_PUBLIC_CACHE_SECONDS old; sorting and language are applied per request
    trend, health = await public_cache(request.app.state).get(("dashboard", window, at, days), figures)
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
    return _page(
        "dashboard.html",
        t=t,
        lang=lang,
        fmt=fmt,
        query=query,
        report=report,
        changes=changes,
        province=report.province_name or report.province,
        at_text=fmt.moment(measured.at, lang, ""),
        at_input=fmt.local_input(measured.at) if query.at else "",
        window_days=measured.days,
        headings=headings(query, t),
        statuses=list(DepartmentStatus),
        departments=department_rows(report, query, t),
        not_connected=not_connected(report, t),
        trend_days=days,
        trend_coverage=trend_coverage,
        trend_exchanges=trend_exchanges,
        health=health_rows(health, endpoints, t),
        alert_threshold=fmt.percent(ERROR_RATE_ALERT, lang),
        warehouse=warehouse,
        dead_letters=dead_letters,
        access=access,
        actions_url=ActionsQuery(lang, query.window, query.at).url(),
        print_url=query.url(print=True),
        screen_url=query.url(print=False),
        csv_url=query.url("/dashboard/departments.csv", print=False),
        xlsx_url=query.url("/dashboard/departments.xlsx", print=False),
        other_language=replace(query, lang=Language.EN if lang is Language.VI else Language.VI),
    )


@router.get("/dashboard/departments.{kind}", response_class=Response)
async def departments_download(
    request: Request,
    session: SessionDep,
    kind: ExportKind,
    lang: Language = Language.VI,
    window: WindowParam = None,
    at: AtParam = None,
    sort: SortColumn = SortColumn.CODE,
    direction: Annotated[SortDirection, Query(alias="dir")] = SortDirection.ASC,
    status: StatusParam = None,
) -> Response:
    """The departments table as the dashboard shows it (same window, status, sorting and language)."""
    t = Translator(lang)
    measured = _window(request, window, at)
    report, _, _ = await _figures(request, session, measured, (window, at))
    rows = department_rows(report, PageQuery(lang, window, at, sort, direction, status=_status(status)), t)
    header = [t(f"col_{column.value}") for column in SortColumn]
    keys = ("code", "name", "registered", "connected", "sharing", "last_exchange")
    table = [[str(row[k]) for k in keys] for row in rows]
    name = f"departments-{report.province}-{measured.last_day:%Y%m%d}"
    return download(name, kind, t("departments"), header, table)


@router.get("/dashboard/agencies/{code}", response_class=HTMLResponse)
async def department_page(
    request: Request,
    session: SessionDep,
    code: str,
    lang: Language = Language.VI,
    window: WindowParam = None,
    at: AtParam = None,
    days: DaysParam = 30,
    print: PrintParam = False,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    t = Translator(lang)
    query = PageQuery(lang, window or None, at or None, print=print)
    try:
        measured = _window(request, window, at)
    except InvalidInput as error:
        return _error(lang, 422, error.detail)
    report, _, endpoints = await _figures(request, session, measured, (window, at))
    agency = dept.find_department(report, code)
    if agency is None:
        return _error(lang, 404, t("not_found", code=code), t("not_found_title"))
    own = [e for e in endpoints if dept.under(e.agency, code)]

    async def figures() -> tuple[Any, Any, Any]:
        addresses = {e.address: e.kind for e in own}
        return (
            await _coverage(request, session).trend(days, measured, agency=code),
            await HealthService(session).last_success(addresses, measured.at),
            await AccessRequestService(session).pending_for_provider(code),
        )

    trend, last_success, pending = await public_cache(request.app.state).get(
        ("agency", code, window, at, days), figures
    )
    trend_coverage, trend_exchanges = dept.department_trend(trend, settings.coverage_target, t)
    return _page(
        "department.html",
        t=t,
        lang=lang,
        fmt=fmt,
        query=query,
        report=report,
        agency=agency,
        name=dept.title(agency, t),
        province=report.province_name or report.province,
        at_text=fmt.moment(measured.at, lang, ""),
        window_days=measured.days,
        databases=dept.database_rows(report, code, own, last_success, t),
        trend_days=days,
        trend_coverage=trend_coverage,
        trend_exchanges=trend_exchanges,
        waiting=dept.waiting_rows(pending, utcnow(), t),
        dashboard_url=query.url(print=False),
        actions_url=ActionsQuery(lang, query.window, query.at, agency=code).url(),
        print_url=query.url(f"/dashboard/agencies/{code}", print=True),
        screen_url=query.url(f"/dashboard/agencies/{code}", print=False),
        other_language=query.url(
            f"/dashboard/agencies/{code}", lang=Language.EN if lang is Language.VI else Language.VI
        ),
        other_lang=Language.EN if lang is Language.VI else Language.VI,
    )


def _status(text: str | None) -> DepartmentStatus | None:
    """The departments' status filter; empty (the form's "all") means none."""
    if not text:
        return None
    try:
        return DepartmentStatus(text)
    except ValueError:
        raise invalid_parameter("status", f"'{text}' is not one of {', '.join(DepartmentStatus)}") from None


def _issue(text: str | None) -> Issue | None:
    """The issue filter; empty (the form's "all") means none."""
    if not text:
        return None
    try:
        return Issue(text)
    except ValueError:
        raise invalid_parameter("issue", f"'{text}' is not one of {', '.join(Issue)}") from None


def _actions_query(
    lang: Language,
    window: str | None,
    at: str | None,
    issue: str | None,
    agency: str | None,
    stale_days: int,
    sort: ActionColumn,
    direction: Direction,
    print: bool = False,
) -> ActionsQuery:
    return ActionsQuery(
        lang, window or None, at or None, _issue(issue), agency or None, stale_days, sort, direction, print
    )


async def _chosen_actions(
    request: Request, session: SessionDep, query: ActionsQuery
) -> tuple[Window, CoverageReport, list[dict[str, str]]]:
    """The list as shown: raises InvalidInput for a window, time or department the province does not have."""
    t = Translator(query.lang)
    measured = _window(request, query.window, query.at)
    report, _, endpoints = await _figures(request, session, measured, (query.window, query.at))
    departments = [a.code for a in report.agencies if a.in_scope]
    if query.agency is not None and query.agency not in departments:
        raise invalid_parameter("agency", f"the province has no department {query.agency}")
    chosen = select_actions(actions(report, dept.sharable(endpoints), query.stale_days, t), query)
    return measured, report, action_rows(chosen, query.stale_days, t)


@router.get("/dashboard/actions", response_class=HTMLResponse)
async def actions_page(
    request: Request,
    session: SessionDep,
    lang: Language = Language.VI,
    window: WindowParam = None,
    at: AtParam = None,
    issue: IssueParam = None,
    agency: AgencyParam = None,
    stale_days: StaleParam = DEFAULT_STALE_DAYS,
    sort: ActionColumn = ActionColumn.CODE,
    direction: Annotated[Direction, Query(alias="dir")] = Direction.ASC,
    print: PrintParam = False,
) -> HTMLResponse:
    t = Translator(lang)
    try:
        query = _actions_query(lang, window, at, issue, agency, stale_days, sort, direction, print)
        measured, report, rows = await _chosen_actions(request, session, query)
    except InvalidInput as error:
        return _error(lang, 422, error.detail)
    other = Language.EN if lang is Language.VI else Language.VI
    return _page(
        "actions.html",
        t=t,
        lang=lang,
        query=query,
        province=report.province_name or report.province,
        at_text=fmt.moment(measured.at, lang, ""),
        window_days=measured.days,
        rows=rows,
        count=fmt.number(len(rows), lang),
        headings=action_headings(query, t),
        issues=list(Issue),
        departments=[(a.code, dept.title(a, t)) for a in report.agencies if a.in_scope],
        dashboard_url=PageQuery(lang, query.window, query.at).url(),
        agency_url=lambda code: PageQuery(lang, query.window, query.at).url(f"/dashboard/agencies/{code}"),
        csv_url=query.url("/dashboard/actions.csv", print=False),
        xlsx_url=query.url("/dashboard/actions.xlsx", print=False),
        print_url=query.url(print=True),
        screen_url=query.url(print=False),
        other_language=query.url(lang=other),
        other_lang=other,
    )


@router.get("/dashboard/actions.{kind}", response_class=Response)
async def actions_download(
    request: Request,
    session: SessionDep,
    kind: ExportKind,
    lang: Language = Language.VI,
    window: WindowParam = None,
    at: AtParam = None,
    issue: IssueParam = None,
    agency: AgencyParam = None,
    stale_days: StaleParam = DEFAULT_STALE_DAYS,
    sort: ActionColumn = ActionColumn.CODE,
    direction: Annotated[Direction, Query(alias="dir")] = Direction.ASC,
) -> Response:
    """The needs-action list as the page shows it, with the same filters, sorting and language."""
    t = Translator(lang)
    query = _actions_query(lang, window, at, issue, agency, stale_days, sort, direction)
    measured, report, rows = await _chosen_actions(request, session, query)
    header, table = action_table(rows, t)
    name = f"needs-action-{report.province}-{measured.last_day:%Y%m%d}"
    return download(name, kind, t("actions_title"), header, table)

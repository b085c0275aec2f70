"""`GET /dashboard`: coverage against the target, departments, databases not connected, the daily trend and
the health of each service, as one HTML page (Vietnamese by default, `?lang=en`).

Public, like `GET /api/v1/coverage`: its health section shows per-service volume, error rate and latency, never
consumers or contents. Everything is inline (CSS, SVG); a Content-Security-Policy forbids anything else.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from contracts.errors import InvalidInput
from gateway.coverage.freshness import public_cache
from gateway.coverage.service import CoverageService
from gateway.coverage.window import Window, parse_at, parse_days
from gateway.dashboard import formatting as fmt
from gateway.dashboard.messages import Language, Translator
from gateway.dashboard.view import (
    PageQuery,
    SortColumn,
    SortDirection,
    access_request_panel,
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


def _page(name: str, status: int = 200, **context: object) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": POLICY})


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
    window: Annotated[str | None, Query(description="W in whole days, e.g. 30d")] = None,
    at: Annotated[str | None, Query(description="T, ISO 8601 (default now; no offset: Vietnam time)")] = None,
    sort: SortColumn = SortColumn.CODE,
    direction: Annotated[SortDirection, Query(alias="dir")] = SortDirection.ASC,
    days: Annotated[int, Query(ge=7, le=90, description="days in the trend")] = 30,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    t = Translator(lang)
    query = PageQuery(lang, window or None, at or None, sort, direction)
    try:
        measured = Window(parse_at(at, utcnow()), parse_days(window, settings.coverage_window_days))
    except InvalidInput as error:
        return _page("error.html", 422, t=t, lang=lang, message=error.detail, back=PageQuery(lang).url())
    coverage = CoverageService(session, province=settings.province, target=settings.coverage_target)

    async def figures() -> tuple[Any, Any, Any]:
        return (
            await coverage.report(measured),
            await coverage.trend(days, measured),
            await HealthService(session).report(Period(measured.at - HEALTH_PERIOD, measured.at)),
        )

    # public figures at most LGSP_PUBLIC_CACHE_SECONDS old; sorting and language are applied per request
    report, trend, health = await public_cache(request.app.state).get(
        ("dashboard", window, at, days), figures
    )
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
    return _page(
        "dashboard.html",
        t=t,
        lang=lang,
        fmt=fmt,
        query=query,
        report=report,
        province=report.province_name or report.province,
        at_text=fmt.moment(measured.at, lang, ""),
        at_input=fmt.local_input(measured.at) if query.at else "",
        headings=headings(query, t),
        departments=department_rows(report, query, t),
        not_connected=not_connected(report, t),
        trend_days=days,
        trend_coverage=trend_coverage,
        trend_exchanges=trend_exchanges,
        health=health_rows(health, t),
        warehouse=warehouse,
        dead_letters=dead_letters,
        access=access,
        other_language=replace(query, lang=Language.EN if lang is Language.VI else Language.VI),
    )

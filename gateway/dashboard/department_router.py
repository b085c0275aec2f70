"""`GET /dashboard/agencies/{code}`: one department's databases, services and datasets, what keeps each database
from counting, its own trend, and the access requests waiting on its decision."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from contracts.errors import InvalidInput
from gateway.coverage.freshness import public_cache
from gateway.dashboard import department as dept
from gateway.dashboard.actions import ActionsQuery
from gateway.dashboard.messages import Translator
from gateway.dashboard.pages import (
    DaysParam,
    PageParams,
    PrintParam,
    coverage_service,
    error,
    figures,
    measured_window,
    report_page,
)
from gateway.dashboard.view import PageQuery, trend_charts
from gateway.exchangehealth.service import HealthService
from registry.access.service import AccessRequestService
from registry.deps import SessionDep
from registry.storage import utcnow

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard/agencies/{code}", response_class=HTMLResponse)
async def departmentpage(
    request: Request,
    session: SessionDep,
    code: str,
    params: Annotated[PageParams, Depends()],
    days: DaysParam = 30,
    print: PrintParam = False,
) -> HTMLResponse:
    lang = params.lang
    t = Translator(lang)
    query = PageQuery(lang, params.window or None, params.at or None, print=print)
    try:
        measured = measured_window(request, params)
    except InvalidInput as problem:
        return error(lang, 422, problem.detail)
    report, _, endpoints = await figures(request, session, measured, params)
    agency = dept.find_department(report, code)
    merged = await public_cache(request.app.state).get(("merger", code), lambda: dept.merger(session, code))
    path = f"/dashboard/agencies/{code}"
    if agency is None and merged is not None and merged.at <= measured.at:  # gone from the structure at T
        return report_page(
            "merged.html",
            query,
            path,
            report,
            measured,
            code=code,
            name=dept.title(merged.agency, t),
            merged=dept.merged_note(merged, query, t),
            dashboard_url=query.url(print=False),
        )
    if agency is None:
        return error(lang, 404, t("not_found", code=code), t("not_found_title"))
    own = [e for e in endpoints if dept.under(e.agency, code)]

    async def own_figures() -> tuple[Any, Any, Any]:
        addresses = {e.address: e.kind for e in own}
        return (
            await coverage_service(request, session).trend(days, measured, agency=code),
            await HealthService(session).last_success(addresses, measured.at),
            await AccessRequestService(session).pending_for_provider(code),
        )

    trend, last_success, pending = await public_cache(request.app.state).get(
        ("agency", code, params.window, params.at, days), own_figures
    )
    trend_coverage, trend_exchanges = trend_charts(trend, report.database_coverage.target, t, department=True)
    return report_page(
        "department.html",
        query,
        path,
        report,
        measured,
        agency=agency,
        name=dept.title(agency, t),
        databases=dept.database_rows(report, code, own, last_success, t),
        trend_days=days,
        trend_coverage=trend_coverage,
        trend_exchanges=trend_exchanges,
        waiting=dept.waiting_rows(pending, utcnow(), t),
        merged=dept.merged_note(merged, query, t) if merged is not None else None,
        dashboard_url=query.url(print=False),
        actions_url=ActionsQuery(lang, query.window, query.at, agency=code).url(),
    )

"""`GET /dashboard/actions`: what needs action, filtered by issue and department and sorted; and the same list
as CSV or Excel (`/dashboard/actions.csv`, `.xlsx`)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from contracts.errors import InvalidInput
from gateway.coverage.schemas import CoverageReport
from gateway.coverage.window import Window, invalid_parameter
from gateway.dashboard import department as dept
from gateway.dashboard import formatting as fmt
from gateway.dashboard.actions import (
    DEFAULT_STALE_DAYS,
    ActionColumn,
    ActionsQuery,
    Issue,
    action_headings,
    action_rows,
    action_table,
    actions,
    select_actions,
)
from gateway.dashboard.export import download
from gateway.dashboard.messages import Translator
from gateway.dashboard.pages import (
    DirectionParam,
    ExportKind,
    PageParams,
    PrintParam,
    enum_filter,
    error,
    figures,
    filter_query,
    measured_window,
    report_page,
)
from gateway.dashboard.view import PageQuery, SortDirection
from registry.deps import SessionDep

router = APIRouter(tags=["dashboard"])


@dataclass
class ActionsParams(PageParams):
    """The list's parameters, shared by the page and its downloads."""

    issue: Annotated[str | None, filter_query(Issue)] = None
    agency: Annotated[str | None, Query(max_length=35, description="a department's code; empty: all")] = None
    stale_days: Annotated[
        int, Query(ge=1, le=366, description="N: a last success older than N days needs action")
    ] = DEFAULT_STALE_DAYS
    sort: ActionColumn = ActionColumn.CODE
    direction: DirectionParam = SortDirection.ASC

    def query(self, print: bool = False) -> ActionsQuery:
        """Raises InvalidInput for an issue the list does not have."""
        issue = enum_filter("issue", Issue, self.issue)
        return ActionsQuery(
            self.lang, self.window or None, self.at or None, issue, self.agency or None, self.stale_days,
            self.sort, self.direction, print=print,
        )  # fmt: skip


ActionsDep = Annotated[ActionsParams, Depends()]


async def _chosen_actions(
    request: Request, session: SessionDep, params: ActionsParams, query: ActionsQuery
) -> tuple[Window, CoverageReport, list[dict[str, str]]]:
    """The list as shown: raises InvalidInput for a window, time or department the province does not have."""
    t = Translator(query.lang)
    measured = measured_window(request, params)
    report, _, endpoints = await figures(request, session, measured, params)
    departments = [a.code for a in report.agencies if a.in_scope]
    if query.agency is not None and query.agency not in departments:
        raise invalid_parameter("agency", f"the province has no department {query.agency}")
    chosen = select_actions(actions(report, dept.sharable(endpoints), query.stale_days, t), query)
    return measured, report, action_rows(chosen, query.stale_days, t)


@router.get("/dashboard/actions", response_class=HTMLResponse)
async def actionspage(
    request: Request, session: SessionDep, params: ActionsDep, print: PrintParam = False
) -> HTMLResponse:
    lang = params.lang
    t = Translator(lang)
    try:
        query = params.query(print)
        measured, report, rows = await _chosen_actions(request, session, params, query)
    except InvalidInput as problem:
        return error(lang, 422, problem.detail)
    return report_page(
        "actions.html",
        query,
        "/dashboard/actions",
        report,
        measured,
        downloads="/dashboard/actions",
        rows=rows,
        count=fmt.number(len(rows), lang),
        headings=action_headings(query, t),
        issues=list(Issue),
        departments=[(a.code, dept.title(a, t)) for a in report.agencies if a.in_scope],
        dashboard_url=PageQuery(lang, query.window, query.at).url(),
        agency_url=lambda code: PageQuery(lang, query.window, query.at).url(f"/dashboard/agencies/{code}"),
    )


@router.get("/dashboard/actions.{kind}", response_class=Response)
async def actions_download(
    request: Request, session: SessionDep, kind: ExportKind, params: ActionsDep
) -> Response:
    """The needs-action list as the page shows it, with the same filters, sorting and language."""
    t = Translator(params.lang)
    measured, report, rows = await _chosen_actions(request, session, params, params.query())
    header, table = action_table(rows, t)
    name = f"needs-action-{report.province}-{measured.last_day:%Y%m%d}"
    return download(name, kind, t("actions_title"), header, table)

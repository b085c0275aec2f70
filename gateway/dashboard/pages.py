"""What the dashboard's pages share: the templates and their security policy, the query parameters, the
window asked for, and the coverage figures computed once per `LGSP_PUBLIC_CACHE_SECONDS`."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from gateway.coverage.freshness import public_cache
from gateway.coverage.schemas import CoverageReport
from gateway.coverage.service import CoverageService
from gateway.coverage.window import Window, invalid_parameter, parse_at, parse_days
from gateway.dashboard import formatting as fmt
from gateway.dashboard.messages import Language, Translator, other_language
from gateway.dashboard.view import LinkedQuery, PageQuery, SortDirection
from gateway.settings import Settings
from registry.deps import SessionDep
from registry.history import EndpointHistory, EndpointRow
from registry.storage import utcnow

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
WindowParam = Annotated[str | None, Query(description="W in whole days, e.g. 30 or 30d")]
AtParam = Annotated[str | None, Query(description="T, ISO 8601 (default now; no offset: Vietnam time)")]
PrintParam = Annotated[bool, Query(description="the print layout on screen too")]
DaysParam = Annotated[int, Query(ge=7, le=90, description="days in the trend")]
DirectionParam = Annotated[SortDirection, Query(alias="dir")]
Choice = TypeVar("Choice", bound=StrEnum)


def filter_query(kind: type[StrEnum]) -> Any:
    """A filter's query parameter, kept as text so that a wrong value gets a page, not a bare problem."""
    return Query(description=f"one of {', '.join(kind)}; empty: all")


def enum_filter(name: str, kind: type[Choice], text: str | None) -> Choice | None:
    """A filter's value; empty (the form's "all") means none."""
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise invalid_parameter(name, f"'{text}' is not one of {', '.join(kind)}") from None


@dataclass
class PageParams:
    """The query parameters every page takes, and each of its downloads (`Annotated[..., Depends()]`)."""

    lang: Language = Language.VI
    window: WindowParam = None
    at: AtParam = None


class ExportKind(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def page(template: str, status: int = 200, **context: object) -> HTMLResponse:
    html = templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": POLICY})


def report_page(
    template: str,
    query: LinkedQuery,
    path: str,
    report: CoverageReport,
    measured: Window,
    downloads: str = "",
    **context: object,
) -> HTMLResponse:
    """A page of the report at the window measured, with what every such page shows: the province, the period,
    the print layout's links and the other language's; `downloads`: the path of its table's CSV and Excel."""
    lang = query.lang
    other = other_language(lang)
    if downloads:
        context |= {"csv_url": query.url(f"{downloads}.csv", print=False)}
        context |= {"xlsx_url": query.url(f"{downloads}.xlsx", print=False)}
    return page(
        template,
        200,
        t=Translator(lang),
        lang=lang,
        fmt=fmt,
        query=query,
        report=report,
        province=report.province_name or report.province,
        at_text=fmt.moment(measured.at, lang, ""),
        window_days=measured.days,
        print_url=query.url(path, print=True),
        screen_url=query.url(path, print=False),
        other_url=query.url(path, lang=other),
        other_lang=other,
        **context,
    )


def error(lang: Language, status: int, message: str, heading: str | None = None) -> HTMLResponse:
    t = Translator(lang)
    back = PageQuery(lang).url()
    return page("error.html", status, t=t, lang=lang, message=message, heading=heading, back=back)


def measured_window(request: Request, params: PageParams) -> Window:
    """Raises InvalidInput for a window or time that cannot be measured."""
    settings: Settings = request.app.state.settings
    return Window(parse_at(params.at, utcnow()), parse_days(params.window, settings.coverage_window_days))


def coverage_service(request: Request, session: SessionDep) -> CoverageService:
    settings: Settings = request.app.state.settings
    return CoverageService(session, province=settings.province, target=settings.coverage_target)


async def figures(
    request: Request, session: SessionDep, measured: Window, params: PageParams
) -> tuple[CoverageReport, CoverageReport, list[EndpointRow]]:
    """The report at T, the one a window earlier (for the change), and the province's services: cached."""
    settings: Settings = request.app.state.settings
    coverage = coverage_service(request, session)

    async def compute() -> tuple[CoverageReport, CoverageReport, list[EndpointRow]]:
        before = Window(measured.start, measured.days)
        return (
            await coverage.report(measured),
            await coverage.report(before),
            await EndpointHistory(session).endpoints(settings.province, measured.at),
        )

    return await public_cache(request.app.state).get(("figures", params.window, params.at), compute)

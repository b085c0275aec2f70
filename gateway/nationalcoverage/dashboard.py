"""`GET /dashboard` on the national tier: every member's last reported coverage against the target, when it
reported (a silent member flagged), calls across the federation, and the national trend. Public, server-rendered
with the provincial dashboard's base template, formatting and charts."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from federation.runtime import Federation
from gateway.dashboard import formatting as fmt
from gateway.dashboard.charts import Series, line_chart
from gateway.dashboard.messages import Language, other_language
from gateway.dashboard.pages import POLICY
from gateway.nationalcoverage.messages import NationalTranslator
from gateway.nationalcoverage.router import cached_coverage
from gateway.nationalcoverage.schemas import MemberTrendPoint
from gateway.nationalcoverage.service import NationalReports
from gateway.settings import Settings
from registry.deps import SessionDep

router = APIRouter(tags=["dashboard"])
templates = Environment(
    loader=ChoiceLoader(
        [
            PackageLoader("gateway.nationalcoverage", "templates"),
            PackageLoader("gateway.dashboard", "templates"),
        ]
    ),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


SPARK_W, SPARK_H = 90, 28


def sparkline(points: list[MemberTrendPoint], title: str) -> Markup:
    """A member's own daily agency (solid) and database (dashed) coverage, 0 to 100%, as a small inline SVG."""
    if not points:
        return Markup("—")
    step = SPARK_W / max(len(points) - 1, 1)

    def line(values: list[float], css: str, style: str = "") -> str:
        coords = " ".join(
            f"{i * step:.1f},{SPARK_H - 2 - v * (SPARK_H - 4):.1f}" for i, v in enumerate(values)
        )
        return f'<polyline class="line {css}" points="{coords}" style="stroke-width: 1.5{style}"/>'

    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {SPARK_W} {SPARK_H}" width="{SPARK_W}" height="{SPARK_H}" role="img">'
        f"<title>{escape(title)}</title>"
        + line([p.agency_ratio for p in points], "s-agency")
        + line([p.database_ratio for p in points], "s-database", "; stroke-dasharray: 3 2")
        + "</svg>"
    )


@router.get("/dashboard", response_class=HTMLResponse)
async def national_dashboard(
    request: Request, session: SessionDep, lang: Language = Language.VI
) -> HTMLResponse:
    federation: Federation = request.app.state.federation
    settings: Settings = request.app.state.settings
    t = NationalTranslator(lang)
    coverage = await cached_coverage(request, NationalReports(session, federation, settings))
    points = coverage.trend
    trend = line_chart(
        t("trend_coverage"),
        "national-trend",
        [fmt.day(p.day, lang) for p in points],
        [
            Series(t("legend_agency"), [p.agency_coverage.ratio for p in points], "s-agency"),
            Series(t("legend_database"), [p.database_coverage.ratio for p in points], "s-database"),
        ],
        target=coverage.target,
        target_label=t("target", target=fmt.percent(coverage.target, lang)),
        tick_label=lambda value: fmt.percent(value, lang),
    )
    html = templates.get_template("national_dashboard.html").render(
        t=t,
        lang=lang,
        fmt=fmt,
        coverage=coverage,
        name=federation.config.name,
        at_text=fmt.moment(coverage.at, lang, ""),
        period=fmt.seconds(coverage.report_seconds, lang),
        stale_after=fmt.seconds(coverage.stale_after_seconds, lang),
        trend=trend,
        sparklines={
            m.code: sparkline(m.trend, t("member_trend", days=len(m.trend))) for m in coverage.members
        },
        trend_days=len(points),
        other_url="/dashboard" if lang is Language.EN else "/dashboard?lang=en",
        other_lang=other_language(lang),
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": POLICY})

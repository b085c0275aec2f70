"""One department's page: its databases with their services and datasets and when each last worked, what keeps
each database from counting, its own trend, and the access requests waiting on it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import NotFound
from gateway.coverage.schemas import AgencyCoverage, CoverageReport, DatabaseCoverage
from gateway.dashboard import formatting as fmt
from gateway.dashboard.actions import blocking
from gateway.dashboard.messages import Translator
from gateway.dashboard.view import Named, PageQuery, agency_name
from gateway.exchangelog.rollups import VIETNAM
from registry.agencies.service import AgencyService
from registry.history import EndpointRow


def sharable(endpoints: list[EndpointRow]) -> set[int]:
    """The databases with a dataset in use: the ones that could share into the warehouse."""
    return {e.database_id for e in endpoints if e.kind == "dataset" and e.in_use}


def under(code: str, agency: str) -> bool:
    return code == agency or code.startswith(agency + ".")


def find_department(report: CoverageReport, code: str) -> AgencyCoverage | None:
    return next((a for a in report.agencies if a.code == code), None)


def _state(database: DatabaseCoverage) -> str:
    if not database.registered:
        return "retired"
    if database.sharing:
        return "sharing"
    return "connected" if database.connected else "not_connected"


def database_rows(
    report: CoverageReport,
    code: str,
    endpoints: list[EndpointRow],
    last_success: dict[str, datetime],
    t: Translator,
) -> list[dict[str, Any]]:
    language = t.language
    never = t("never")
    rows = []
    for database in report.database_list:
        if not under(database.agency, code):
            continue
        reasons = blocking(database, report, sharable(endpoints), t)
        rows.append(
            {
                "name": database.name,
                "address": f"{database.agency}/{database.code}",
                "state": _state(database),
                "state_text": t(f"state_{_state(database)}"),
                "last_exchange": fmt.moment(database.last_exchange_at, language, never),
                "last_share": fmt.moment(database.last_share_at, language, never),
                "blocking": reasons,
                "endpoints": [
                    {
                        "title": endpoint.title,
                        "address": endpoint.address,
                        "kind": t(f"kind_{endpoint.kind}"),
                        "in_use": endpoint.in_use,
                        "last": t(
                            "last_at", at=fmt.moment(last_success.get(endpoint.address), language, never)
                        ),
                    }
                    for endpoint in endpoints
                    if endpoint.database_id == database.id
                ],
            }
        )
    return rows


def waiting_rows(
    pending: list[tuple[str, int, datetime]], now: datetime, t: Translator
) -> list[dict[str, str]]:
    """Per address: how many requests wait and the longest wait; never who asks or why."""
    language = t.language
    return [
        {
            "address": address,
            "pending": fmt.number(count, language),
            "oldest": fmt.age((now - oldest).total_seconds(), language),
        }
        for address, count, oldest in pending
    ]


def title(agency: Named, t: Translator) -> str:
    return agency_name(agency, t.language)


@dataclass(frozen=True, slots=True)
class AgencyName:
    code: str
    name: str
    name_en: str | None


@dataclass(frozen=True, slots=True)
class Merger:
    """An agency merged into its successor on a date, as the registry keeps it."""

    agency: AgencyName
    successor: AgencyName
    at: datetime


async def merger(session: AsyncSession, code: str) -> Merger | None:
    """The agency's merger, if it was merged (None for an agency not registered, or not merged)."""
    agencies = AgencyService(session)
    try:
        agency = await agencies.get(code)
        if agency.merged_into is None or agency.merged_at is None:
            return None
        successor = await agencies.get(agency.merged_into)
    except NotFound:
        return None
    return Merger(
        AgencyName(agency.code, agency.name, agency.name_en),
        AgencyName(successor.code, successor.name, successor.name_en),
        agency.merged_at,
    )


def merged_note(found: Merger, query: PageQuery, t: Translator) -> Markup:
    """ "Merged into X on dd/mm/yyyy", X a link to its successor's page (with the same window and time)."""
    link = Markup('<a href="{}" data-testid="successor">{}</a>').format(
        query.url(f"/dashboard/agencies/{found.successor.code}"), agency_name(found.successor, t.language)
    )
    on = fmt.day(found.at.astimezone(VIETNAM).date(), t.language)
    return Markup(escape(t("agency_merged"))).format(successor=link, date=on)

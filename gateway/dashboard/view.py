"""What the dashboard shows, ready for the template: sorted department rows, the databases not connected,
the trend charts and the health rows, every string in the page's language."""

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol
from urllib.parse import urlencode

from markupsafe import Markup

from gateway.coverage.schemas import AgencyCoverage, CoverageReport, CoverageTrend
from gateway.coverage.tally import code_key
from gateway.dashboard import formatting as fmt
from gateway.dashboard.charts import Series, bar_chart, line_chart
from gateway.dashboard.messages import Language, Translator
from gateway.exchangehealth.schemas import HealthReport
from gateway.metrics.warehouse import WarehouseLag
from registry.history import EndpointRow
from warehouse.deadletters import DeadLetterCount


class SortColumn(StrEnum):
    CODE = "code"
    NAME = "name"
    REGISTERED = "registered"
    CONNECTED = "connected"
    SHARING = "sharing"
    LAST_EXCHANGE = "last_exchange"


class SortDirection(StrEnum):
    ASC = "asc"
    DESC = "desc"


class DepartmentStatus(StrEnum):
    """The departments table's filter."""

    SHARING = "sharing"  # counted: a database is sharing
    NOT_SHARING = "not_sharing"  # databases registered, none sharing
    NO_DATABASE = "no_database"

    @classmethod
    def of(cls, agency: AgencyCoverage) -> "DepartmentStatus":
        if agency.covered:
            return cls.SHARING
        return cls.NOT_SHARING if agency.databases.registered else cls.NO_DATABASE


@dataclass(frozen=True, slots=True)
class LinkedQuery:
    """A page's query parameters, to link to the page with some of them changed: what every page takes; each
    page's own after them (`print` is given by name)."""

    PATH: ClassVar[str] = "/dashboard"
    lang: Language = Language.VI
    window: str | None = None
    at: str | None = None
    print: bool = field(default=False, kw_only=True)

    def own(self) -> dict[str, object]:
        """The page's own parameters in their order in a link, each None at its default."""
        raise NotImplementedError

    def params(self, **changes: Any) -> dict[str, str]:
        """The parameters that differ from their defaults, as text."""
        query = replace(self, **changes)
        params = {
            "lang": query.lang if query.lang is not Language.VI else None,
            "window": query.window,
            "at": query.at,
            **query.own(),
            "print": "1" if query.print else None,
        }
        return {k: str(v) for k, v in params.items() if v}

    def url(self, path: str | None = None, **changes: Any) -> str:
        encoded = urlencode(self.params(**changes))
        return (path or self.PATH) + (f"?{encoded}" if encoded else "")


@dataclass(frozen=True, slots=True)
class PageQuery(LinkedQuery):
    """The dashboard's query parameters."""

    sort: SortColumn = SortColumn.CODE
    direction: SortDirection = SortDirection.ASC
    status: DepartmentStatus | None = None

    def own(self) -> dict[str, object]:
        return {
            "sort": self.sort if self.sort is not SortColumn.CODE else None,
            "dir": self.direction if self.direction is not SortDirection.ASC else None,
            "status": self.status,
        }


def folded(text: str) -> str:
    """Vietnamese names compared without their marks (Đ as D), so that they sort as readers expect."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def name_en(self) -> str | None: ...


def agency_name(agency: Named, language: Language) -> str:
    return (agency.name_en or agency.name) if language is Language.EN else agency.name


def sort_agencies(
    agencies: list[AgencyCoverage], column: SortColumn, direction: SortDirection, language: Language
) -> list[AgencyCoverage]:
    """Sorted by the column, ties always in code order (two stable sorts)."""

    def key(agency: AgencyCoverage) -> Any:
        if column is SortColumn.NAME:
            return folded(agency_name(agency, language))
        if column is SortColumn.LAST_EXCHANGE:
            last = agency.last_exchange_at
            return (last is not None, last or datetime.min.replace(tzinfo=UTC))
        if column is SortColumn.CODE:
            return code_key(agency.code)
        return getattr(agency.databases, column.value)

    by_code = sorted(agencies, key=lambda agency: code_key(agency.code))
    return sorted(by_code, key=key, reverse=direction is SortDirection.DESC)


@dataclass(frozen=True, slots=True)
class Heading:
    label: str
    url: str
    aria_sort: str | None
    numeric: bool


def headings(query: PageQuery, t: Translator) -> list[Heading]:
    result = []
    for column in SortColumn:
        current = column is query.sort
        flip = SortDirection.DESC if query.direction is SortDirection.ASC else SortDirection.ASC
        numeric = column in (SortColumn.REGISTERED, SortColumn.CONNECTED, SortColumn.SHARING)
        first = SortDirection.DESC if numeric or column is SortColumn.LAST_EXCHANGE else SortDirection.ASC
        direction = flip if current else first
        aria = None
        if current:
            aria = "ascending" if query.direction is SortDirection.ASC else "descending"
        result.append(
            Heading(t(f"col_{column.value}"), query.url(sort=column, direction=direction), aria, numeric)
        )
    return result


def department_rows(report: CoverageReport, query: PageQuery, t: Translator) -> list[dict[str, Any]]:
    language = query.lang
    return [
        {
            "code": agency.code,
            "name": agency_name(agency, language),
            "in_scope": agency.in_scope,
            "covered": agency.covered,
            "registered": agency.databases.registered,
            "connected": agency.databases.connected,
            "sharing": agency.databases.sharing,
            "last_exchange": fmt.moment(agency.last_exchange_at, language, t("never")),
            "url": query.url(
                f"/dashboard/agencies/{agency.code}", sort=SortColumn.CODE, direction=SortDirection.ASC
            ),
        }
        for agency in sort_agencies(report.agencies, query.sort, query.direction, language)
        if query.status is None or DepartmentStatus.of(agency) is query.status
    ]


def not_connected(report: CoverageReport, t: Translator) -> list[dict[str, str]]:
    names = {agency.code: agency_name(agency, t.language) for agency in report.agencies}
    rows = []
    for database in report.database_list:
        if not database.registered or database.connected:
            continue
        reasons = []
        if database.active_contracts == 0:
            reasons.append(t("reason_no_contract"))
        if database.last_exchange_at is None or database.last_exchange_at <= report.window_start:
            reasons.append(t("reason_no_exchange"))
        rows.append(
            {
                "name": database.name,
                "address": f"{database.agency}/{database.code}",
                "agency": names.get(database.agency, database.agency_name),
                "reason": "; ".join(reasons) or t("reason_no_exchange"),
            }
        )
    return rows


def trend_charts(
    trend: CoverageTrend, target: float, t: Translator, *, department: bool = False
) -> tuple[Markup, Markup]:
    """The coverage line chart and the exchanges bar chart; a `department`'s own has no departments' line."""
    language = t.language
    labels = [fmt.day(point.day, language) for point in trend.points]
    prefix = "agency-trend" if department else "trend"
    lines = [Series(t("legend_database"), [p.database_coverage.ratio for p in trend.points], "s-database")]
    if not department:
        lines.insert(
            0, Series(t("legend_agency"), [p.agency_coverage.ratio for p in trend.points], "s-agency")
        )
    coverage = line_chart(
        t("agency_trend_coverage" if department else "trend_coverage"),
        f"{prefix}-coverage",
        labels,
        lines,
        target=target,
        target_label=t("target", target=fmt.percent(target, language)),
        tick_label=lambda value: fmt.percent(value, language),
    )
    exchanges = bar_chart(
        t("trend_exchanges"),
        f"{prefix}-exchanges",
        labels,
        [
            Series(t("legend_service"), [p.service_exchanges for p in trend.points], "s-service"),
            Series(t("legend_share"), [p.share_deliveries for p in trend.points], "s-share"),
        ],
        tick_label=lambda value: fmt.number(int(value), language),
    )
    return coverage, exchanges


def health_rows(
    health: HealthReport, endpoints: list[EndpointRow], threshold: float, t: Translator
) -> list[dict[str, Any]]:
    """Each service named by its title and its provider, not only its address; an error rate above `threshold`
    stands out."""
    language = t.language
    named = {e.address: e for e in endpoints}
    rows = []
    for service in sorted(health.services, key=lambda s: (-s.count, s.address)):
        endpoint = named.get(service.address)
        provider = service.provider_agency
        if endpoint is not None:
            english = language is Language.EN and endpoint.agency_name_en
            provider = (endpoint.agency_name_en if english else endpoint.agency_name) or provider
        rows.append(
            {
                "address": service.address,
                "title": endpoint.title if endpoint else service.address,
                "department": provider,
                "kind": t(f"kind_{service.kind}"),
                "volume": fmt.number(service.count, language),
                "error_rate": fmt.percent(service.failure_rate, language),
                "alert": service.failure_rate > threshold,
                "p95": fmt.milliseconds(service.duration_ms.p95, language),
            }
        )
    return rows


def change(now: int, before: int, language: Language) -> str:
    return fmt.signed(now - before, language)


def warehouse_panel(lag: WarehouseLag, threshold: float, t: Translator) -> dict[str, Any]:
    """The warehouse's lag as the dashboard shows it: a sentence, whether past the threshold, a row per dataset."""
    language = t.language
    shares = sum(dataset.shares for dataset in lag.datasets)
    return {
        "summary": t(
            "warehouse_lagging",
            shares=fmt.number(shares, language),
            age=fmt.seconds(lag.oldest_age, language),
        )
        if shares
        else t("warehouse_ok"),
        "degraded": t("warehouse_degraded", threshold=fmt.seconds(threshold, language))
        if lag.degraded(threshold)
        else None,
        "rows": [
            {
                "address": dataset.address,
                "shares": fmt.number(dataset.shares, language),
                "records": fmt.number(dataset.records, language),
                "oldest": fmt.seconds(lag.age(dataset), language),
            }
            for dataset in lag.datasets
        ],
    }


def dead_letter_panel(counts: list[DeadLetterCount], now: datetime, t: Translator) -> dict[str, Any] | None:
    """Share batches set aside by the warehouse, per dataset: counts and ages only, never reasons or records."""
    if not counts:
        return None
    language = t.language
    oldest = min(count.oldest for count in counts)
    return {
        "summary": t(
            "dead_letters",
            batches=fmt.number(sum(count.batches for count in counts), language),
            age=fmt.seconds((now - oldest).total_seconds(), language),
        ),
        "rows": [
            {
                "address": count.address or "?",
                "batches": fmt.number(count.batches, language),
                "oldest": fmt.seconds((now - count.oldest).total_seconds(), language),
            }
            for count in counts
        ],
    }


def access_request_panel(
    pending: list[tuple[str, int, datetime]], report: CoverageReport, now: datetime, t: Translator
) -> dict[str, Any]:
    """Access requests waiting for each provider's decision: counts and ages only, never who asks or why."""
    language = t.language
    names = {agency.code: agency_name(agency, language) for agency in report.agencies}
    rows = [
        {
            "code": code,
            "name": names.get(code, ""),
            "pending": fmt.number(count, language),
            "oldest": fmt.age((now - oldest).total_seconds(), language),
        }
        for code, count, oldest in sorted(pending, key=lambda row: code_key(row[0]))
    ]
    total = sum(count for _, count, _ in pending)
    return {
        "summary": t("access_pending", requests=fmt.number(total, language)) if total else t("access_none"),
        "rows": rows,
    }

"""The "needs action" list: departments with no database, databases never connected, connected but not
sharing, or whose last success is older than N days; filtered, sorted, and exported as shown."""

from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from gateway.coverage.schemas import CoverageReport, DatabaseCoverage
from gateway.coverage.tally import code_key
from gateway.dashboard import formatting as fmt
from gateway.dashboard.messages import Translator
from gateway.dashboard.view import Heading, LinkedQuery, SortDirection, agency_name, folded

DEFAULT_STALE_DAYS = 7


class Issue(StrEnum):
    """In the order of urgency (the list's default order within a department)."""

    NO_DATABASE = "no_database"
    NEVER_CONNECTED = "never_connected"
    STALE = "stale"
    NOT_SHARING = "not_sharing"


class ActionColumn(StrEnum):
    CODE = "code"
    NAME = "name"
    DATABASE = "database"
    ISSUE = "issue"
    LAST_SUCCESS = "last_success"


@dataclass(frozen=True, slots=True)
class ActionsQuery(LinkedQuery):
    """The list's query parameters; every link keeps the others."""

    PATH: ClassVar[str] = "/dashboard/actions"
    issue: Issue | None = None
    agency: str | None = None
    stale_days: int = DEFAULT_STALE_DAYS
    sort: ActionColumn = ActionColumn.CODE
    direction: SortDirection = SortDirection.ASC

    def own(self) -> dict[str, object]:
        return {
            "issue": self.issue,
            "agency": self.agency,
            "stale_days": self.stale_days if self.stale_days != DEFAULT_STALE_DAYS else None,
            "sort": self.sort if self.sort is not ActionColumn.CODE else None,
            "dir": self.direction if self.direction is not SortDirection.ASC else None,
        }


@dataclass(frozen=True, slots=True)
class Action:
    code: str
    department: str
    database: str  # "" for a department with none
    address: str
    issue: Issue
    detail: str
    last_success: datetime | None


def _department(database: DatabaseCoverage, departments: list[str]) -> str:
    return next((d for d in departments if database.agency == d or database.agency.startswith(d + ".")), "")


def blocking(
    database: DatabaseCoverage, report: CoverageReport, sharable: Set[int], t: Translator
) -> list[str]:
    """Why a database does not count towards the figure, in plain words (empty: it counts). `sharable`: the
    databases with a dataset in use, which could share."""
    if not database.registered:
        return [t("reason_retired")]
    reasons = []
    if database.active_contracts == 0:
        reasons.append(t("reason_no_contract"))
    if not database.connected and (
        database.last_exchange_at is None or database.last_exchange_at <= report.window_start
    ):
        reasons.append(t("reason_no_exchange"))
    if not database.sharing and database.active_contracts:  # with none, the first reason says it all
        reasons.append(t("reason_not_sharing" if database.id in sharable else "reason_no_dataset"))
    return reasons


def actions(report: CoverageReport, sharable: Set[int], stale_days: int, t: Translator) -> list[Action]:
    language = t.language
    departments = [a for a in report.agencies if a.in_scope]
    names = {a.code: agency_name(a, language) for a in report.agencies}
    codes = sorted((a.code for a in departments), key=lambda c: -len(c))  # the longest prefix first
    found = [
        Action(a.code, names[a.code], "", "", Issue.NO_DATABASE, "", None)
        for a in departments
        if a.databases.registered == 0
    ]
    stale_before = report.at - timedelta(days=stale_days)
    for database in report.database_list:
        if not database.registered:
            continue
        last = database.last_exchange_at
        if last is None:
            issue = Issue.NEVER_CONNECTED
        elif last < stale_before:
            issue = Issue.STALE
        elif database.connected and not database.sharing:
            issue = Issue.NOT_SHARING
        else:
            continue
        owner = _department(database, codes) or database.agency
        found.append(
            Action(
                owner,
                names.get(owner, database.agency_name),
                database.name,
                f"{database.agency}/{database.code}",
                issue,
                "; ".join(blocking(database, report, sharable, t)),
                last,
            )
        )
    return found


def select_actions(found: list[Action], query: ActionsQuery) -> list[Action]:
    """Filtered by issue and department, sorted by the column; ties in department, then urgency, order."""
    chosen = [
        a
        for a in found
        if (query.issue is None or a.issue is query.issue)
        and (query.agency is None or a.code == query.agency or a.code.startswith(query.agency + "."))
    ]
    urgency = list(Issue)

    def key(action: Action) -> Any:
        column = query.sort
        if column is ActionColumn.NAME:
            return folded(action.department)
        if column is ActionColumn.DATABASE:
            return folded(action.database)
        if column is ActionColumn.ISSUE:
            return urgency.index(action.issue)
        if column is ActionColumn.LAST_SUCCESS:
            return (action.last_success is not None, action.last_success or datetime.min.replace(tzinfo=UTC))
        return code_key(action.code)

    base = sorted(chosen, key=lambda a: (code_key(a.code), urgency.index(a.issue), folded(a.database)))
    return sorted(base, key=key, reverse=query.direction is SortDirection.DESC)


def action_headings(query: ActionsQuery, t: Translator) -> list[Heading]:
    labels = {
        ActionColumn.CODE: t("col_code"),
        ActionColumn.NAME: t("col_name"),
        ActionColumn.DATABASE: t("col_database"),
        ActionColumn.ISSUE: t("col_issue"),
        ActionColumn.LAST_SUCCESS: t("col_last_success"),
    }
    result = []
    for column, label in labels.items():
        current = column is query.sort
        flip = SortDirection.DESC if query.direction is SortDirection.ASC else SortDirection.ASC
        aria = ("ascending" if query.direction is SortDirection.ASC else "descending") if current else None
        direction = flip if current else SortDirection.ASC
        result.append(Heading(label, query.url(sort=column, direction=direction), aria, False))
    return result


def action_rows(chosen: list[Action], stale_days: int, t: Translator) -> list[dict[str, str]]:
    """The rows as shown (and as downloaded)."""
    language = t.language
    return [
        {
            "code": a.code,
            "department": a.department,
            "database": a.database,
            "address": a.address,
            "issue": a.issue.value,
            "issue_text": t(f"issue_{a.issue.value}", days=stale_days),
            "detail": a.detail,
            "last_success": fmt.moment(a.last_success, language, t("never")) if a.address else "",
        }
        for a in chosen
    ]


def action_table(rows: list[dict[str, str]], t: Translator) -> tuple[list[str], list[list[str]]]:
    """The downloaded table: the headings and the cells as the page shows them."""
    header = [
        t("col_code"), t("col_name"), t("col_database"), t("col_address"), t("col_issue"), t("col_detail"),
        t("col_last_success"),
    ]  # fmt: skip
    keys = ("code", "department", "database", "address", "issue_text", "detail", "last_success")
    return header, [[row[k] for k in keys] for row in rows]

"""Coverage as CSV, one row per database: what `/api/v1/coverage.csv` serves and `lgsp coverage --format csv`
prints, from the same report."""

import csv
import io
from datetime import datetime
from typing import Any

CSV_COLUMNS = (
    "agency",
    "agency_name",
    "database",
    "database_name",
    "status",
    "registered",
    "active_contracts",
    "connected",
    "sharing",
    "last_exchange_at",
    "last_share_at",
    "at",
    "window",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # a spreadsheet would run it as a formula (CSV injection); a leading quote makes it text
        return "'" + value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def coverage_csv(report: dict[str, Any]) -> str:
    """`report`: a coverage report as JSON (`CoverageReport.model_dump(mode="json")` or the API's answer)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for database in report["database_list"]:
        writer.writerow(
            cell(value)
            for value in (
                database["agency"],
                database["agency_name"],
                database["code"],
                database["name"],
                database["status"],
                database["registered"],
                database["active_contracts"],
                database["connected"],
                database["sharing"],
                database["last_exchange_at"],
                database["last_share_at"],
                report["at"],
                report["window"],
            )
        )
    return buffer.getvalue()

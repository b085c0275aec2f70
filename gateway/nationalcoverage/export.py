"""The national coverage as CSV, one row per member: what `/api/v1/federation/coverage.csv` serves."""

import csv
import io

from gateway.coverage.export import cell
from gateway.nationalcoverage.schemas import NationalCoverage

CSV_COLUMNS = (
    "member", "name", "status", "agency_covered", "agency_total", "agency_ratio", "agency_target", "agency_met",
    "database_covered", "database_total", "database_ratio", "registered", "connected", "sharing",
    "federation_calls", "reported_at", "received_at", "stale",
)  # fmt: skip


def national_csv(coverage: NationalCoverage) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in coverage.members:
        agency, database, counts = m.agency_coverage, m.database_coverage, m.databases
        writer.writerow(
            cell(value)
            for value in (
                m.code, m.name, m.status,
                agency and agency.covered, agency and agency.total, agency and agency.ratio,
                agency and agency.target, agency and agency.met,
                database and database.covered, database and database.total, database and database.ratio,
                counts and counts.registered, counts and counts.connected, counts and counts.sharing,
                m.federation_calls, m.reported_at, m.received_at, m.stale,
            )
        )  # fmt: skip
    return buffer.getvalue()

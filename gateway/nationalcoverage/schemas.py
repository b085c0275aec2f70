"""What members report to the national tier, and what the national coverage API answers."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from gateway.coverage.schemas import CoverageRatio, DatabaseCounts, TrendPoint


class ReportedDepartment(BaseModel):
    code: str = Field(max_length=35)
    name: str = Field(max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    in_scope: bool
    databases: DatabaseCounts
    covered: bool


class ReportedCoverage(BaseModel):
    """A member's coverage at its T, as `GET /api/v1/coverage` computes it, without the database list."""

    province: str = Field(max_length=35)
    province_name: str | None = Field(default=None, max_length=300)
    at: datetime
    window: str = Field(max_length=16)
    agency_coverage: CoverageRatio
    database_coverage: CoverageRatio
    databases: DatabaseCounts
    departments_with_databases: int = Field(ge=0)
    departments: list[ReportedDepartment] = Field(max_length=2000)


class MemberReport(BaseModel):
    """The signed payload of a coverage report (`typ` lgsp-federation-message+jws)."""

    member: str = Field(max_length=35)
    iat: float
    jti: str = Field(min_length=8, max_length=100, description="accepted once")
    coverage: ReportedCoverage
    trend: list[TrendPoint] = Field(max_length=92)
    federation_calls: int = Field(
        ge=0, description="calls across the federation in the window, this member's"
    )


class SignedReport(BaseModel):
    report: str = Field(max_length=2_000_000, description="a compact JWS by the member's federation key")


class ReportAccepted(BaseModel):
    member: str
    reported_at: datetime
    received_at: datetime
    agency_coverage: CoverageRatio
    database_coverage: CoverageRatio
    databases: DatabaseCounts
    federation_calls: int


class MemberTrendPoint(BaseModel):
    day: date
    agency_ratio: float
    database_ratio: float


class MemberCoverage(BaseModel):
    code: str
    name: str
    status: str = Field(description="active or suspended")
    reported_at: datetime | None = Field(description="T of its last report, by its clock")
    received_at: datetime | None = Field(description="when the national tier received its last report")
    stale: bool = Field(description="no report for more than two report periods (or none yet)")
    agency_coverage: CoverageRatio | None
    database_coverage: CoverageRatio | None
    databases: DatabaseCounts | None
    departments_with_databases: int | None
    federation_calls: int
    trend: list[MemberTrendPoint] = Field(description="the member's own daily figures, from its last report")


class NationalTrendPoint(BaseModel):
    day: date = Field(description="a day, Vietnam time")
    members: int = Field(description="members with a report by the day's end")
    agency_coverage: CoverageRatio
    database_coverage: CoverageRatio


class NationalCoverage(BaseModel):
    at: datetime
    report_seconds: float = Field(description="LGSP_FEDERATION_REPORT_SECONDS of the national tier")
    stale_after_seconds: float
    target: float
    agency_coverage: CoverageRatio = Field(description="sums of the active members' last reports")
    database_coverage: CoverageRatio
    databases: DatabaseCounts
    federation_calls: int
    members: list[MemberCoverage]
    trend: list[NationalTrendPoint] = Field(description="from the reports kept, one point per Vietnam day")

"""What the coverage API answers (`GET /api/v1/coverage`, `/coverage.csv`, `/coverage/trend`)."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class CoverageRatio(BaseModel):
    """`covered` of `total` against the target (0 when there is nothing to count)."""

    covered: int
    total: int
    ratio: float = Field(ge=0, le=1)
    target: float
    met: bool

    @classmethod
    def of(cls, covered: int, total: int, target: float) -> "CoverageRatio":
        ratio = covered / total if total else 0.0
        return cls(
            covered=covered, total=total, ratio=ratio, target=target, met=total > 0 and ratio >= target
        )


class DatabaseCounts(BaseModel):
    registered: int
    connected: int
    sharing: int


class DatabaseCoverage(BaseModel):
    id: int
    agency: str
    agency_name: str
    code: str
    name: str
    status: str = Field(description="the registry's status now (planned, active, retired)")
    registered: bool = Field(description="exists at T: created at or before T and not retired then")
    active_contracts: int = Field(description="services and datasets with a version in use at T")
    connected: bool = Field(
        description="registered, an active contract, and a successful exchange in the window"
    )
    sharing: bool = Field(description="registered, and a share delivered to the warehouse in the window")
    last_exchange_at: datetime | None = Field(description="last successful exchange at or before T")
    last_share_at: datetime | None = Field(description="last share delivered at or before T")


class AgencyCoverage(BaseModel):
    code: str
    name: str
    name_en: str | None
    tier: str
    in_scope: bool = Field(description="a department of the province: counted in the agency coverage")
    databases: DatabaseCounts
    covered: bool = Field(description="at least one sharing database")
    last_exchange_at: datetime | None


class CoverageReport(BaseModel):
    province: str
    province_name: str | None = Field(description="the province's agency name, when it is registered")
    at: datetime = Field(description="T, the end of the window")
    window: str = Field(description="W, e.g. 30d")
    window_start: datetime = Field(description="T − W, excluded from the window")
    agency_coverage: CoverageRatio = Field(
        description="departments with at least one sharing database / departments of the province"
    )
    database_coverage: CoverageRatio = Field(description="sharing databases / registered databases")
    databases: DatabaseCounts
    departments_with_databases: int = Field(description="departments owning at least one registered database")
    agencies: list[AgencyCoverage]
    database_list: list[DatabaseCoverage]


class TrendPoint(BaseModel):
    day: date = Field(description="a day, Vietnam time")
    at: datetime = Field(
        description="T of this point: the end of the day (or the report's T on its last day)"
    )
    agency_coverage: CoverageRatio
    database_coverage: CoverageRatio
    databases: DatabaseCounts
    service_exchanges: int = Field(description="successful service calls that day")
    share_deliveries: int = Field(description="shares delivered to the warehouse that day")


class CoverageTrend(BaseModel):
    province: str
    window: str
    days: int
    points: list[TrendPoint]

"""`GET /api/v1/health/services`: exchange health per service, as X-Road's health data gives it."""

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.coverage.window import parse_time
from gateway.exchangehealth.schemas import HealthReport
from gateway.exchangehealth.service import HealthService, health_period
from registry.auth import CurrentPrincipal
from registry.deps import SessionDep
from registry.storage import utcnow

router = APIRouter(prefix="/api/v1/health", tags=["exchange health"])

TimeQuery = Annotated[
    str | None,
    Query(description="ISO 8601; without an offset, Vietnam time", examples=["2025-12-31T00:00:00+07:00"]),
]


@router.get("/services", response_model=HealthReport)
async def service_health(
    session: SessionDep, principal: CurrentPrincipal, since: TimeQuery = None, until: TimeQuery = None
) -> HealthReport:
    """Per service or dataset address, the exchanges completed in [since, until) (default the last 24 hours,
    at most 31 days): count, failures by outcome, and duration and sizes of the successful ones. Admins see
    every service; other clients the services their agency (or an agency below it) provides."""
    period = health_period(
        parse_time(since, "since") if since else None,
        parse_time(until, "until") if until else None,
        utcnow(),
        visible_to=None if principal.is_admin else principal.agency,
    )
    return await HealthService(session).report(period)

"""Exchange health per service over a period (default the last 24 hours, at most 31 days)."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.coverage.window import invalid_parameter
from gateway.exchangehealth.repository import HealthRepository, Period
from gateway.exchangehealth.schemas import DurationStats, HealthReport, ServiceHealth, Stats
from gateway.exchangelog.models import Outcome

DEFAULT_PERIOD = timedelta(hours=24)
MAX_PERIOD = timedelta(days=31)


def health_period(
    since: datetime | None, until: datetime | None, now: datetime, visible_to: str | None = None
) -> Period:
    """The period asked for: `until` defaults to now, `since` to 24 hours before `until`."""
    until = until or now
    since = since or until - DEFAULT_PERIOD
    if since >= until:
        raise invalid_parameter("since", "must be before until")
    if until - since > MAX_PERIOD:
        raise invalid_parameter("since", f"the period may span at most {MAX_PERIOD.days} days")
    return Period(since, until, visible_to)


def _stats(values: tuple[float | None, float | None, float | None] | None) -> Stats:
    low, mean, high = values or (None, None, None)
    return Stats(min=low, avg=mean, max=high)


class HealthService:
    def __init__(self, session: AsyncSession) -> None:
        self.repository = HealthRepository(session)

    async def report(self, period: Period) -> HealthReport:
        outcomes = await self.repository.outcomes(period)
        stats = await self.repository.success_stats(period)
        p95 = await self.repository.duration_p95(period)
        services: dict[str, ServiceHealth] = {}
        for row in outcomes:
            service = services.get(row.address)
            if service is None:
                found = stats.get(row.address)
                duration = _stats(found.duration if found else None)
                service = services[row.address] = ServiceHealth(
                    address=row.address,
                    kind=row.kind,
                    provider_agency=row.provider_agency,
                    count=0,
                    ok=0,
                    failures={},
                    failure_rate=0.0,
                    duration_ms=DurationStats(**duration.model_dump(), p95=p95.get(row.address)),
                    request_size=_stats(found.request_size if found else None),
                    response_size=_stats(found.response_size if found else None),
                )
            service.count += row.count
            if row.outcome == Outcome.OK:
                service.ok += row.count
            else:
                service.failures[row.outcome] = service.failures.get(row.outcome, 0) + row.count
        for service in services.values():
            service.failure_rate = (service.count - service.ok) / service.count if service.count else 0.0
        ordered = sorted(services.values(), key=lambda s: s.address)
        return HealthReport(since=period.since, until=period.until, services=ordered)

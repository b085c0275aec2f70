"""Exchange health per service over a period (default the last 24 hours, at most 31 days)."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.coverage.window import invalid_parameter
from gateway.exchangehealth.repository import HealthRepository, Period, Triple
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


def _stats(values: Triple | None) -> Stats:
    low, mean, high = values or (None, None, None)
    return Stats(min=low, avg=mean, max=high)


class HealthService:
    def __init__(self, session: AsyncSession) -> None:
        self.repository = HealthRepository(session)

    async def last_success(self, addresses: dict[str, str], at: datetime) -> dict[str, datetime]:
        """Per address (with its kind): the last success at or before `at` (a dataset's: the last delivery)."""
        return await self.repository.last_success(addresses, at)

    async def report(self, period: Period) -> HealthReport:
        groups = await self.repository.groups(period)
        p95 = await self.repository.duration_p95(period)
        successes = {g.address: g for g in groups if g.outcome == Outcome.OK}
        services: dict[str, ServiceHealth] = {}
        for group in groups:
            service = services.get(group.address)
            if service is None:
                ok = successes.get(group.address)
                duration = _stats(ok.duration if ok else None)
                service = services[group.address] = ServiceHealth(
                    address=group.address,
                    kind=group.kind,
                    provider_agency=group.provider_agency,
                    count=0,
                    ok=ok.count if ok else 0,
                    failures={},
                    failure_rate=0.0,
                    duration_ms=DurationStats(**duration.model_dump(), p95=p95.get(group.address)),
                    request_size=_stats(ok.request_size if ok else None),
                    response_size=_stats(ok.response_size if ok else None),
                )
            service.count += group.count
            if group.outcome != Outcome.OK:
                service.failures[group.outcome] = service.failures.get(group.outcome, 0) + group.count
        for service in services.values():
            service.failure_rate = (service.count - service.ok) / service.count if service.count else 0.0
        ordered = sorted(services.values(), key=lambda s: s.address)
        return HealthReport(since=period.since, until=period.until, services=ordered)

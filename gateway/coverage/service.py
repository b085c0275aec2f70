"""Coverage at a time T over a window W, and its daily trend: from the registry and the rollups only."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.coverage.repository import CoverageRepository
from gateway.coverage.schemas import AgencyCoverage, CoverageReport, CoverageTrend, DatabaseCoverage
from gateway.coverage.tally import DatabaseState, Tally, database_state, tally
from gateway.coverage.trend import trend_points
from gateway.coverage.window import Window
from gateway.exchangelog.models import ExchangeKind
from registry.history import RegistryHistory


class CoverageService:
    def __init__(self, session: AsyncSession, *, province: str, target: float) -> None:
        self.repository = CoverageRepository(session)
        self.registry = RegistryHistory(session)
        self.province = province
        self.target = target

    async def tally(self, window: Window) -> Tally:
        agencies = await self.registry.agencies(self.province)
        databases = await self.registry.databases(self.province, window.at)
        contracts = await self.registry.active_contracts(window.at)
        activity = await self.repository.activity([d.id for d in databases], window)
        exchanged: dict[int, set[str]] = {}
        last: dict[tuple[int, str], datetime] = {}
        for item in activity:
            if item.in_window:
                exchanged.setdefault(item.database_id, set()).add(item.kind)
            if item.last_at is not None:
                last[item.database_id, item.kind] = item.last_at
        states = []
        for row in databases:
            state = database_state(row, window.at, contracts.get(row.id, 0), exchanged.get(row.id, set()))
            state.last_share_at = last.get((row.id, ExchangeKind.SHARE))
            moments = [m for k in ExchangeKind if (m := last.get((row.id, k))) is not None]
            state.last_exchange_at = max(moments, default=None)
            states.append(state)
        return tally(agencies, states, province=self.province, at=window.at, target=self.target)

    async def report(self, window: Window) -> CoverageReport:
        figures = await self.tally(window)
        return CoverageReport(
            province=self.province,
            province_name=figures.province_name,
            at=window.at,
            window=window.label,
            window_start=window.start,
            agency_coverage=figures.agency_coverage,
            database_coverage=figures.database_coverage,
            databases=figures.databases,
            departments_with_databases=figures.departments_with_databases,
            agencies=[
                AgencyCoverage(
                    code=t.agency.code,
                    name=t.agency.name,
                    name_en=t.agency.name_en,
                    tier=t.agency.tier,
                    in_scope=t.in_scope,
                    databases=t.counts,
                    covered=t.sharing > 0,
                    last_exchange_at=t.last_exchange_at,
                )
                for t in figures.agencies
            ],
            database_list=[_database(state) for state in figures.states],
        )

    async def trend(self, days: int, window: Window, *, agency: str | None = None) -> CoverageTrend:
        """One point per Vietnam day, the last `days` days up to the window's T, each measured at the day's
        end with the same window length. `agency`: only that agency and the units below it (one department's
        own trend: its agency figure is 0 or 1, its database figure its own share)."""
        agencies = await self.registry.agencies(self.province)
        databases = await self.registry.databases(self.province, window.at)
        if agency is not None:
            agencies = [a for a in agencies if _under(a.code, agency)]
            databases = [d for d in databases if _under(d.agency, agency)]
        contracts = await self.registry.contracts_since(window.at)
        points = await trend_points(
            self.repository, agencies, databases, contracts, days=days, window=window,
            province=self.province, target=self.target,
        )  # fmt: skip
        return CoverageTrend(province=self.province, window=window.label, days=days, points=points)


def _database(state: DatabaseState) -> DatabaseCoverage:
    row = state.row
    return DatabaseCoverage(
        id=row.id,
        agency=row.agency,
        agency_name=row.agency_name,
        code=row.code,
        name=row.name,
        status=row.status,
        registered=state.registered,
        active_contracts=state.active_contracts,
        connected=state.connected,
        sharing=state.sharing,
        last_exchange_at=state.last_exchange_at,
        last_share_at=state.last_share_at,
    )


def _under(code: str, agency: str) -> bool:
    return code == agency or code.startswith(agency + ".")

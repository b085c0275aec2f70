from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, func, select

from federation.reports_models import FederationReport
from registry.repository import Repository


class ReportRepository(Repository[FederationReport]):
    model = FederationReport

    async def latest(self, member: str) -> FederationReport | None:
        statement = (
            self.select()
            .where(FederationReport.member_code == member)
            .order_by(col(FederationReport.reported_at).desc())
        )
        return await self.first(statement)

    async def latest_each(self) -> dict[str, FederationReport]:
        """Every member's newest report."""
        newest = (
            select(FederationReport.member_code, func.max(FederationReport.reported_at).label("at"))
            .group_by(col(FederationReport.member_code))
            .subquery()
        )
        statement = self.select().join(
            newest,
            (col(FederationReport.member_code) == newest.c.member_code)
            & (col(FederationReport.reported_at) == newest.c.at),
        )
        return {report.member_code: report for report in await self.all(statement)}

    async def since(self, start: datetime) -> Sequence[FederationReport]:
        """Reports made at or after `start`, oldest first, and each member's last one before it (the trend)."""
        statement = (
            self.select()
            .where(col(FederationReport.reported_at) >= start)
            .order_by(col(FederationReport.reported_at))
        )
        return await self.all(statement)

    async def before(self, moment: datetime) -> Sequence[FederationReport]:
        """Each member's last report made before `moment`."""
        newest = (
            select(FederationReport.member_code, func.max(FederationReport.reported_at).label("at"))
            .where(col(FederationReport.reported_at) < moment)
            .group_by(col(FederationReport.member_code))
            .subquery()
        )
        statement = self.select().join(
            newest,
            (col(FederationReport.member_code) == newest.c.member_code)
            & (col(FederationReport.reported_at) == newest.c.at),
        )
        return await self.all(statement)

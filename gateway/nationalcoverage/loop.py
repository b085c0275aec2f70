"""A member's coverage report, sent in the background every LGSP_FEDERATION_REPORT_SECONDS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import LgspError
from federation.runtime import Federation
from gateway.nationalcoverage.service import MemberReports
from gateway.settings import Settings

log = logging.getLogger("lgsp.federation.reports")


class ReportLoop:
    """Sends the member's report every period once it is an active member; a failed send is retried at the
    next directory refresh."""

    def __init__(
        self, federation: Federation, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
    ) -> None:
        self.federation = federation
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.last_sent: float | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.federation.copy is not None:
            self._task = asyncio.create_task(self._run(), name="federation-reports")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _due(self) -> bool:
        directory = self.federation.copy.current if self.federation.copy else None
        if directory is None or not directory.is_active(self.federation.config.code):
            return False
        period = self.settings.federation_report_seconds
        return self.last_sent is None or time.monotonic() - self.last_sent >= period

    async def _run(self) -> None:
        period = self.settings.federation_report_seconds
        pause = min(period, self.settings.federation_refresh_seconds)
        while True:
            if self._due():
                try:
                    async with self.sessionmaker() as session:
                        await MemberReports(session, self.federation, self.settings).send()
                    self.last_sent = time.monotonic()
                except LgspError as refused:
                    log.warning("coverage report not sent: %s", refused.detail)
                except Exception:  # the loop must outlive any one failure; the next period tries again
                    log.exception("coverage report not sent")
            await asyncio.sleep(pause)

"""Constructed coverage scenarios: registry rows with chosen times, exchanges through the real log writer."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from gateway.exchangelog.models import ExchangeKind, Outcome
from gateway.exchangelog.record import ExchangeRecord, new_exchange_id
from gateway.exchangelog.rollups import Delivery
from gateway.exchangelog.writer import LogWriter
from registry.agencies.models import Agency, AgencyTier
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.databases.models import Database, DatabaseStatus
from tests.harness import Harness

VIETNAM = timezone(timedelta(hours=7))
T = datetime(2026, 6, 30, 12, 0, tzinfo=VIETNAM)  # the time the scenarios measure at
W = timedelta(days=30)
LONG_AGO = datetime(2026, 1, 1, tzinfo=VIETNAM)
TICK = timedelta(microseconds=1)


class Scenario:
    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.writer: LogWriter = harness.app.state.runtime.writer
        self._codes = itertools.count(1)
        self.addresses: dict[int, str] = {}  # database id: the address of its first contract
        self._database_codes: dict[int, str] = {}

    async def _add(self, *rows: Any) -> None:
        async with self.harness.app.state.sessionmaker() as session:
            for row in rows:
                session.add(row)
                await session.flush()
            await session.commit()

    async def agency(
        self,
        code: str,
        *,
        tier: str = "department",
        created_at: datetime = LONG_AGO,
        name: str | None = None,
        name_en: str | None = None,
    ) -> str:
        parent = code.rpartition(".")[0] or None
        await self._add(
            Agency(
                code=code, name=name or f"Cơ quan {code}", name_en=name_en, tier=AgencyTier(tier), parent_code=parent,
                created_at=created_at, updated_at=created_at,
            )
        )  # fmt: skip
        return code

    async def database(
        self,
        agency: str,
        code: str,
        *,
        created_at: datetime = LONG_AGO,
        retired_at: datetime | None = None,
        contract: bool = True,
        name: str | None = None,
        contract_code: str | None = None,
        contract_kind: str = "service",
    ) -> int:
        """A database, with an active service contract registered when it was unless `contract=False`."""
        row = Database(
            agency_code=agency, code=code, name=name or f"CSDL {code}", created_at=created_at, updated_at=created_at,
            status=DatabaseStatus.RETIRED if retired_at else DatabaseStatus.ACTIVE, retired_at=retired_at,
        )  # fmt: skip
        await self._add(row)
        assert row.id is not None
        self._database_codes[row.id] = code
        if contract:
            await self.contract(row.id, agency, created_at=created_at, code=contract_code, kind=contract_kind)
        return row.id

    async def contract(
        self,
        database_id: int,
        agency: str,
        *,
        created_at: datetime = LONG_AGO,
        version_created_at: datetime | None = None,
        status: ContractStatus = ContractStatus.ACTIVE,
        kind: str = "service",
        code: str | None = None,
    ) -> str:
        endpoint = Endpoint(
            kind=kind, agency_code=agency, code=code or f"dich-vu-{next(self._codes)}", major=1,
            database_id=database_id, created_at=created_at,
        )  # fmt: skip
        await self._add(endpoint)
        assert endpoint.id is not None
        version = ContractVersion(
            endpoint_id=endpoint.id, version="1.0.0", title="Dịch vụ", classification="internal",
            compatibility="backward", status=status, sha256="0" * 64,
            document=_document(kind, endpoint.code, agency, self._database_codes[database_id]),
            created_at=version_created_at or created_at, created_by="test",
        )  # fmt: skip
        await self._add(version)
        self.addresses.setdefault(database_id, endpoint.address)
        return endpoint.address

    def _record(
        self, database_id: int, kind: str, completed_at: datetime, outcome: str, duration: timedelta
    ) -> ExchangeRecord:
        address = self.addresses.get(database_id, f"H50.99/khong-ro/v{database_id}")
        return ExchangeRecord(
            id=new_exchange_id(), kind=kind, instance=self.writer.instance, received_at=completed_at - duration,
            outcome=outcome, consumer_agency="H50", client_id="portal", provider_agency=address.split("/")[0],
            address=address, database_id=database_id, completed_at=completed_at,
            http_status=200 if outcome == Outcome.OK else 502,
        )  # fmt: skip

    async def call(
        self,
        database_id: int,
        completed_at: datetime,
        outcome: str = Outcome.OK,
        duration: timedelta = timedelta(milliseconds=40),
    ) -> None:
        """A service call, logged as the gateway logs it."""
        record = self._record(database_id, ExchangeKind.SERVICE, completed_at, outcome, duration)
        await self.writer.close(record, opened=False)

    async def share(self, database_id: int, accepted_at: datetime, delivered_at: datetime | None) -> None:
        """A share accepted by the gateway, and the warehouse's acknowledgement unless `delivered_at` is None."""
        record = self._record(
            database_id, ExchangeKind.SHARE, accepted_at, Outcome.OK, timedelta(milliseconds=15)
        )
        await self.writer.close(record, opened=False)
        if delivered_at is not None:
            await self.writer.deliver(Delivery(record.id, database_id, delivered_at, 1, "kho-test"))

    async def coverage(self, at: datetime | None = T, **params: Any) -> dict[str, Any]:
        query = {**({"at": at.isoformat()} if at else {}), **params}
        response = await self.harness.http.get("/api/v1/coverage", params=query)
        assert response.status_code == 200, response.text
        return dict(response.json())


def connected(report: dict[str, Any]) -> set[str]:
    return {d["code"] for d in report["database_list"] if d["connected"]}


def sharing(report: dict[str, Any]) -> set[str]:
    return {d["code"] for d in report["database_list"] if d["sharing"]}


def registered(report: dict[str, Any]) -> set[str]:
    return {d["code"] for d in report["database_list"] if d["registered"]}


def agency(report: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in report["agencies"] if a["code"] == code)


def _document(kind: str, code: str, agency: str, database: str) -> dict[str, Any]:
    """A minimal valid contract document, so that a gateway started on the scenario can load its routes."""
    document: dict[str, Any] = {
        "kind": kind, "code": code, "version": "1.0.0", "provider": agency, "database": database,
        "title": "Dịch vụ thử",
    }  # fmt: skip
    if kind == "service":
        document |= {"request": {"type": "object"}, "response": {"type": "object"}}
    else:
        document |= {"record": {"type": "object", "properties": {"id": {"type": "string"}}}, "key": ["id"]}
    return document

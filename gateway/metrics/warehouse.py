"""The warehouse's health as the gateways see it: shares accepted (202) that the warehouse has not acknowledged.

Per dataset, the undelivered shares, their records and the age of the oldest; read from the exchange log (any
gateway accepted them, any gateway recorded the acknowledgement) at most once per `LGSP_PUBLIC_CACHE_SECONDS`,
for `/metrics`, `/readyz` and the dashboard. The partial index `ix_exchange_share_completed` keeps this a scan of
the last day's shares, not of every call.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import State

from gateway.coverage.freshness import public_cache
from gateway.exchangelog.models import EXCHANGES, Outcome
from gateway.exchangelog.statements import DELIVERIES
from registry.storage import utcnow

LOOKBACK = timedelta(days=1)
"""Shares older than this that never were acknowledged are a matter for dead letters and replay, not lag."""
# a literal, not a bound parameter: PostgreSQL uses the partial index only for a predicate it can see
_SHARES = text("exchange.kind = 'share'")


@dataclass(frozen=True)
class DatasetLag:
    address: str
    shares: int
    records: int
    oldest: datetime


@dataclass(frozen=True)
class WarehouseLag:
    measured_at: datetime
    datasets: list[DatasetLag] = field(default_factory=list)

    def age(self, lag: DatasetLag) -> float:
        return max(0.0, (self.measured_at - lag.oldest).total_seconds())

    @property
    def oldest_age(self) -> float:
        """Seconds since the oldest undelivered share was accepted; 0 when every share is delivered."""
        return max((self.age(lag) for lag in self.datasets), default=0.0)

    def degraded(self, threshold: float) -> str | None:
        """Why the warehouse counts as degraded (`LGSP_WAREHOUSE_LAG_DEGRADED_SECONDS`), or None."""
        age = self.oldest_age
        if age < threshold:
            return None
        shares = sum(lag.shares for lag in self.datasets)
        return (
            f"degraded: {shares} share(s) not acknowledged by the warehouse, the oldest {age:.0f} s old "
            f"(threshold {threshold:.0f} s)"
        )


async def measure(engine: AsyncEngine) -> WarehouseLag:
    now = utcnow()
    statement = (
        select(
            EXCHANGES.c.address,
            func.count(),
            func.coalesce(func.sum(EXCHANGES.c.record_count), 0),
            func.min(EXCHANGES.c.completed_at),
        )
        .select_from(EXCHANGES.outerjoin(DELIVERIES, DELIVERIES.c.exchange_id == EXCHANGES.c.id))
        .where(
            _SHARES,
            EXCHANGES.c.completed_at >= now - LOOKBACK,
            EXCHANGES.c.outcome == Outcome.OK.value,
            DELIVERIES.c.exchange_id.is_(None),
        )
        .group_by(EXCHANGES.c.address)
        .order_by(EXCHANGES.c.address)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return WarehouseLag(
        now,
        [
            DatasetLag(str(address), int(shares), int(records), oldest)
            for address, shares, records, oldest in rows
        ],
    )


async def warehouse_lag(state: State) -> WarehouseLag:
    """The lag, at most `LGSP_PUBLIC_CACHE_SECONDS` old (every reader shares one query per period)."""
    return await public_cache(state).get("warehouse-lag", lambda: measure(state.runtime.engine))


class WarehouseLagCollector(Collector):
    """The last measured lag as gauges; datasets that caught up disappear from the labels."""

    def __init__(self) -> None:
        self.lag: WarehouseLag | None = None

    def collect(self) -> Iterator[Metric]:
        lag = self.lag
        if lag is None:
            return
        yield GaugeMetricFamily(
            "lgsp_warehouse_undelivered_oldest_age_seconds",
            "Age of the oldest share accepted (202) and not yet acknowledged by the warehouse; 0 when none",
            value=lag.oldest_age,
        )
        shares = GaugeMetricFamily(
            "lgsp_warehouse_undelivered_shares",
            "Shares not yet acknowledged by the warehouse",
            labels=["dataset"],
        )
        records = GaugeMetricFamily(
            "lgsp_warehouse_undelivered_records", "Records in shares not yet acknowledged", labels=["dataset"]
        )
        ages = GaugeMetricFamily(
            "lgsp_warehouse_lag_seconds", "The warehouse sink's lag: age of the dataset's oldest undelivered share",
            labels=["dataset"],
        )  # fmt: skip
        for dataset in lag.datasets:
            shares.add_metric([dataset.address], dataset.shares)
            records.add_metric([dataset.address], dataset.records)
            ages.add_metric([dataset.address], lag.age(dataset))
        yield from (shares, records, ages)

"""The gateway's metrics: exchanges and their latency (counted as the log writer commits each record), the
log writer's batches, the platform's availability, and the coverage figures (set at each scrape)."""

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.coverage.tally import Tally
from gateway.exchangelog.models import Outcome
from gateway.exchangelog.record import ExchangeRecord
from gateway.metrics.warehouse import WarehouseLagCollector

if TYPE_CHECKING:
    from gateway.runtime import GatewayRuntime

log = logging.getLogger("lgsp.metrics")
UNROUTED = "unrouted"  # an exchange refused before its address was found: not a label per made-up address
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class PlatformCollector(Collector):
    """Read at each scrape: whether the bus and the log writer work, and their running totals."""

    def __init__(self, runtime: "GatewayRuntime") -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        bus, writer = self.runtime.bus, self.runtime.writer
        yield GaugeMetricFamily(
            "lgsp_bus_up", "1 when the event bus takes messages", value=int(bus.available)
        )
        yield GaugeMetricFamily(
            "lgsp_exchange_log_up",
            "1 when the exchange log's last write succeeded",
            value=int(writer.available),
        )
        yield CounterMetricFamily(
            "lgsp_exchange_log_records_written",
            "Log records written (opened, closed, delivered)",
            writer.written,
        )
        stats = bus.stats
        for name, value, help_text in (
            ("published", stats.published, "Messages published to the bus"),
            ("replies_matched", stats.replies_matched, "Replies matched to a waiting request"),
            (
                "replies_dropped",
                stats.replies_dropped,
                "Replies nobody waited for (late, duplicate, unknown)",
            ),
            ("handled", stats.handled, "Messages handled by this gateway's subscriptions"),
            ("handler_errors", stats.handler_errors, "Subscription handlers that failed"),
            ("invalid_messages", stats.invalid_messages, "Messages that were not valid envelopes"),
        ):
            yield CounterMetricFamily(f"lgsp_bus_{name}", help_text, value)
        rejected = CounterMetricFamily(
            "lgsp_bus_messages_rejected",
            "Replies and share acknowledgements dropped unbelieved, by kind and reason "
            "(unsigned, unknown-key, bad-signature, wrong-agency, wrong-client, not-pending, malformed)",
            labels=["kind", "reason"],
        )
        for (kind, reason), count in sorted(self.runtime.authenticity.rejected.items()):
            rejected.add_metric([kind, reason], count)
        yield rejected


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.exchanges = Counter(
            "lgsp_exchanges", "Exchanges completed, by address, kind and outcome",
            ["address", "kind", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "lgsp_exchange_duration_seconds", "Received to completed, of successful exchanges, by address",
            ["address"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.batch_size = Histogram(
            "lgsp_exchange_log_batch_size", "Records per exchange-log transaction (group commit)",
            buckets=BATCH_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.coverage = Gauge(
            "lgsp_coverage_ratio", "The province's coverage (agency or database) over the default window",
            ["figure"], registry=self.registry,
        )  # fmt: skip
        self.coverage_target = Gauge("lgsp_coverage_target", "The coverage target", registry=self.registry)
        self.databases = Gauge(
            "lgsp_coverage_databases", "The province's databases by state", ["state"], registry=self.registry
        )
        self.agencies = Gauge(
            "lgsp_coverage_agencies", "The province's departments: in scope, and with a sharing database",
            ["state"], registry=self.registry,
        )  # fmt: skip
        self.warehouse = WarehouseLagCollector()  # set at each scrape, like the coverage
        self.registry.register(self.warehouse)
        self._children: dict[tuple[str, str, str], Counter] = {}
        self._latencies: dict[str, Histogram] = {}

    @classmethod
    def attach(cls, runtime: "GatewayRuntime") -> "GatewayMetrics":
        """Metrics for a started gateway: counted as its log writer commits, read from it at each scrape."""
        metrics = cls()
        metrics.registry.register(PlatformCollector(runtime))
        runtime.writer.on_written = metrics.written
        return metrics

    def written(self, closed: list[tuple[ExchangeRecord, bool]], batch_size: int) -> None:
        """The log writer's hook, on its hot path: label children are cached, so each record is a dict
        lookup and an increment. It must never raise into the writer."""
        try:
            self.batch_size.observe(batch_size)
            for record, _ in closed:
                self._count(record)
        except Exception:  # a metric must not stop the exchange log
            log.exception("counting exchanges for metrics failed")

    def _count(self, record: ExchangeRecord) -> None:
        address = record.address if record.database_id is not None and record.address else UNROUTED
        key = (address, record.kind, record.outcome)
        counter = self._children.get(key)
        if counter is None:
            counter = self._children[key] = self.exchanges.labels(*key)
        counter.inc()
        if record.outcome == Outcome.OK and record.completed_at is not None:
            latency = self._latencies.get(address)
            if latency is None:
                latency = self._latencies[address] = self.latency.labels(address)
            latency.observe((record.completed_at - record.received_at).total_seconds())

    def set_coverage(self, figures: Tally) -> None:
        self.coverage.labels("agency").set(figures.agency_coverage.ratio)
        self.coverage.labels("database").set(figures.database_coverage.ratio)
        self.coverage_target.set(figures.agency_coverage.target)
        for state, count in figures.databases.model_dump().items():
            self.databases.labels(state).set(count)
        self.agencies.labels("in_scope").set(figures.agency_coverage.total)
        self.agencies.labels("sharing").set(figures.agency_coverage.covered)

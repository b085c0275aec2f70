"""Fixtures of the fault campaign: the platform's topologies as processes, each started once per module and
faulted again and again; and the campaign's summary at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import running, unavailable
from tests.faults.checks import Findings
from tests.faults.topology import Postgres, Topology, new_directory, started
from tests.kafka.broker import KafkaBroker
from tests.services import ServiceUnavailable, start_postgres


@dataclass
class Campaign:
    injected: list[tuple[str, str]] = field(default_factory=list)
    verified: list[Findings] = field(default_factory=list)

    def line(self) -> str:
        exchanges = sum(f.exchanges for f in self.verified)
        shares = sum(f.shares for f in self.verified)
        lost = sum(f.lost for f in self.verified)
        kinds = sorted({f"{where}: {what}" for where, what in self.injected})
        return (
            f"fault campaign: {len(self.injected)} faults injected, {len(self.verified)} verified; "
            f"{exchanges} answered exchanges logged with their true outcome; {shares} accepted shares "
            f"delivered exactly once; lost = {lost}\n  " + "\n  ".join(kinds)
        )


CAMPAIGN = Campaign()


@pytest.fixture
def campaign() -> Campaign:
    return CAMPAIGN


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CAMPAIGN.injected:
        terminalreporter.write_sep("-", "fault campaign")
        terminalreporter.write_line(CAMPAIGN.line())


@pytest.fixture(scope="module")
def embedded_platform() -> Iterator[Topology]:
    """`lgsp up` alone: SQLite, the in-process bus and the warehouse sink, in one process."""
    yield from started(Topology("embedded", new_directory("embedded")))


@pytest.fixture(scope="session")
def faults_postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of the campaign's own, which it stops and starts."""
    try:
        server = start_postgres()
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield Postgres(server)
    server.stop()


# The campaign kills its nodes: never an external broker. It shares the suite's own (tests/conftest.py), each
# node running again when a module starts, rather than starting four more JVMs.


@pytest.fixture(scope="module")
def faults_kafka(kafka_own_broker: KafkaBroker) -> KafkaBroker:
    return running(kafka_own_broker)


@pytest.fixture(scope="module")
def faults_kafka_cluster(kafka_cluster: KafkaBroker) -> KafkaBroker:
    return running(kafka_cluster)


@pytest.fixture(scope="module")
def kafka_platform(faults_kafka: KafkaBroker, faults_postgres: Postgres) -> Iterator[Topology]:
    """docker-compose.yml's topology as processes: the gateway, the sample connectors and the warehouse sink,
    on Apache Kafka (one node) and PostgreSQL."""
    topology = Topology(
        "kafka", new_directory("kafka"), database_url=faults_postgres.create_database(),
        kafka=faults_kafka, postgres=faults_postgres,
    )  # fmt: skip
    yield from started(topology)


@pytest.fixture(scope="module")
def cluster_platform(faults_kafka_cluster: KafkaBroker, faults_postgres: Postgres) -> Iterator[Topology]:
    """The same on three Apache Kafka nodes (replication factor 3, min.insync.replicas 2)."""
    topology = Topology(
        "cluster", new_directory("cluster"), database_url=faults_postgres.create_database(),
        kafka=faults_kafka_cluster, postgres=faults_postgres, replication_factor=3,
    )  # fmt: skip
    yield from started(topology)

"""Shared fixtures: real PostgreSQL, real Apache Kafka, per-test databases on both backends."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from tests.harness import Harness, LiveGateway, gateway_settings, running_gateway
from tests.kafka.broker import KafkaBroker, start_kafka
from tests.services import REQUIRE_SERVICES, PostgresServer, ServiceUnavailable, start_postgres

if TYPE_CHECKING:
    from playwright.async_api import Browser


def _print_tasks(signum: int, frame: object) -> None:
    """`kill -USR1 <pytest>` prints where every asyncio task of the running test waits: a hung test explains
    itself without being stopped (faulthandler shows only the event loop's select)."""
    try:
        tasks = asyncio.all_tasks(asyncio.get_running_loop())
    except RuntimeError:
        print("no running event loop", file=sys.stderr)
        return
    for task in tasks:
        task.print_stack(file=sys.stderr)


signal.signal(signal.SIGUSR1, _print_tasks)

BACKENDS = [b for b in os.environ.get("LGSP_TEST_BACKENDS", "sqlite,postgres").split(",") if b]


def unavailable(reason: str) -> None:
    """A missing service skips the test locally and fails it in CI (LGSP_REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = start_postgres()
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    try:
        broker = start_kafka()
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield broker
    broker.stop(graceful=False)


@pytest.fixture(scope="session")
def kafka_own_broker() -> Iterator[KafkaBroker]:
    """One Apache Kafka node of the suite's own (never an external broker), for the tests that kill it: started
    once; each test gets it running (`restartable_broker`) and may leave it down."""
    try:
        broker = start_kafka(use_external=False)
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield broker
    broker.stop(graceful=False)


def running(broker: KafkaBroker) -> KafkaBroker:
    """`broker` with every node started again that an earlier test left down."""
    down = [n for n, node in enumerate(broker.nodes) if not node.alive]
    for n in down:
        broker._spawn(broker.nodes[n])
    if down:
        broker.wait_ready()
    return broker


@pytest.fixture
def restartable_broker(kafka_own_broker: KafkaBroker) -> KafkaBroker:
    """The suite's own node, running: the test may kill it (and need not start it again)."""
    return running(kafka_own_broker)


@pytest.fixture(scope="session")
def kafka_cluster() -> Iterator[KafkaBroker]:
    """Three Apache Kafka nodes (replication factor 3, min.insync.replicas 2), only for the tests that ask."""
    try:
        cluster = start_kafka(3, use_external=False)
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield cluster
    cluster.stop(graceful=False)


CHROMIUM = os.environ.get("LGSP_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's headless Chromium driven by Playwright (never `playwright install`: it cannot download here)."""
    try:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed")
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        try:
            chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            unavailable(f"cannot start Chromium: {exc}")
        yield chromium
        await chromium.close()


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """An empty database for one test, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'lgsp.db'}"
        return
    import asyncpg

    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"lgsp_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield server.url(name)


@pytest.fixture
async def gateway(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """The real gateway app on a fresh database (each backend), with a bootstrap admin."""
    settings = gateway_settings(database_url, tmp_path_factory.mktemp("data"))
    async with running_gateway(settings) as harness:
        yield harness


@pytest.fixture
def live_gateway(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    """The gateway on a real loopback port, for tests that go through HTTP as users do (CLI, browser)."""
    with LiveGateway(gateway_settings(database_url, tmp_path_factory.mktemp("data"))) as live:
        yield live

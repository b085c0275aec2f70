"""Redis for the shared rate limits: one private server for the session, emptied before each test, and a fresh
PostgreSQL database that two gateways share, as gateways of one platform do."""

import uuid
from collections.abc import Iterator

import asyncpg
import coredis
import pytest

from tests.conftest import unavailable
from tests.redis_server import RedisServer, start_redis
from tests.services import PostgresServer, ServiceUnavailable


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    try:
        server = start_redis()
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, empty: grant ids and client ids repeat from one test's database to the next."""
    client = coredis.Redis.from_url(redis_server.url)
    await client.flushall()
    client.connection_pool.disconnect()
    return redis_server.url


@pytest.fixture
def doomed_redis() -> Iterator[RedisServer]:
    """A Redis of the test's own, for the test to kill and bring back."""
    try:
        server = start_redis()
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    yield server
    server.stop()


@pytest.fixture
async def platform_database(postgres_server: PostgresServer) -> str:
    name = f"lgsp_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_server.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return postgres_server.url(name)

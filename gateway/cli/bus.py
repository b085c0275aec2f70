"""`lgsp bus partitions ADDRESS N` (added to `lgsp bus` by gateway/cli/main.py): give one service's topic more partitions, so more connector processes share it.

A topic's partition count lives in Kafka, the one place every gateway, connector and warehouse process sees;
topics are created with `LGSP_KAFKA_PARTITIONS` (12) and this command raises one. Kafka can only increase it.
"""

import asyncio
from typing import Annotated

import typer
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import KafkaError

from contracts.addresses import Address
from gateway.cli.errors import CliError
from gateway.settings import Settings

_UNKNOWN_TOPIC = 3


async def _partitions(admin: AIOKafkaAdminClient, topic: str) -> int | None:
    described = await admin.describe_topics([topic])
    if not described or described[0]["error_code"] == _UNKNOWN_TOPIC:
        return None
    if described[0]["error_code"]:
        raise CliError(f"cannot describe topic {topic}: Kafka error {described[0]['error_code']}")
    return len(described[0]["partitions"])


async def _until_described(admin: AIOKafkaAdminClient, topic: str, count: int) -> None:
    """Return once the broker's metadata shows the new count (it follows the change by a moment)."""
    for _ in range(100):
        if await _partitions(admin, topic) == count:
            return
        await asyncio.sleep(0.1)
    raise CliError(f"Kafka accepted {count} partitions for {topic} but does not show them after 10 s")


def _refused(topic: str, errors: list[tuple[int, str | None]]) -> None:
    """Kafka answers a refused topic change with an error code in the response, not an exception."""
    for code, message in errors:
        if code:
            raise CliError(f"Kafka refused the change to {topic}: error {code} {message or ''}".strip())


async def set_partitions(settings: Settings, topic: str, count: int) -> tuple[int | None, int]:
    """Create `topic` with `count` partitions or raise it to `count`; returns (before, after)."""
    assert settings.kafka_bootstrap is not None
    login = settings.kafka_login()
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap,
        request_timeout_ms=15_000,
        **(login.client_options() if login else {}),
    )
    try:
        await admin.start()
        before = await _partitions(admin, topic)
        if before is None:
            created = await admin.create_topics([NewTopic(topic, count, settings.kafka_replication_factor)])
            _refused(topic, [(code, message) for _, code, message in created.topic_errors])
        elif before > count:
            raise CliError(f"topic {topic} has {before} partitions; Kafka can only increase them")
        elif before < count:
            raised = await admin.create_partitions({topic: NewPartitions(total_count=count)})
            _refused(topic, [(code, message) for _, code, message in raised.topic_errors])
        await _until_described(admin, topic, count)
        return before, count
    except KafkaError as exc:
        raise CliError(f"Kafka at {settings.kafka_bootstrap}: {exc!r}") from None
    finally:
        await admin.close()


def partitions(
    address: Annotated[str, typer.Argument(help="the service, e.g. H50.20/tra-cuu-thua-dat/v1")],
    count: Annotated[
        int, typer.Argument(min=1, help="partitions wanted: at least one per connector process")
    ],
) -> None:
    """Raise a service topic's partitions to COUNT (creating the topic if it does not exist yet); running
    connectors pick the new partitions up within seconds, without a restart."""
    settings = Settings()
    if settings.kafka_bootstrap is None:
        raise CliError("the in-process bus has no partitions: set LGSP_KAFKA_BOOTSTRAP to the Kafka cluster")
    topic = Address.parse(address).service_topic  # a malformed address: one line, from InvalidInput
    before, after = asyncio.run(set_partitions(settings, topic, count))
    if before is None:
        typer.echo(f"{topic}: created with {after} partitions")
    elif before == after:
        typer.echo(f"{topic}: already {after} partitions")
    else:
        typer.echo(f"{topic}: {before} → {after} partitions")

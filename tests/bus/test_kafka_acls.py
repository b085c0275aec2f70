"""The broker as a second line: every component logs in (SASL/SCRAM) and the ACLs `lgsp bus acls` plans confine
it. A connectors process of one agency answers its own agency's requests, and nothing else: not another agency's
requests, not the replies, not share acknowledgements, which only the warehouse writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import TopicAuthorizationFailedError
from typer.testing import CliRunner

from bus import Bus, BusUnavailable
from bus.kafka import KafkaBus
from bus.kafka_access import KafkaLogin, Role, acl_plan
from contracts.addresses import SHARE_ACK_TOPIC, Address
from contracts.envelope import make_reply
from gateway.cli import app
from tests.bus.conftest import request_envelope
from tests.conftest import unavailable
from tests.kafka.broker import KafkaBroker, start_kafka
from tests.services import ServiceUnavailable

pytestmark = pytest.mark.kafka

OWN, OTHER = Address("H50.20", "tra-cuu-thua-dat", 1), Address("H50.10", "tra-cuu-ho-tich", 1)
ACL_TOOL = "org.apache.kafka.tools.AclCommand"
PLAN = [
    (Role.GATEWAY, "gateway", None),
    (Role.WAREHOUSE, "warehouse", None),
    (Role.CONNECTOR, "cn-h50-20", "H50.20"),
    (Role.CONNECTOR, "cn-h50-10", "H50.10"),
]


@pytest.fixture(scope="module")
def secured_kafka() -> Iterator[KafkaBroker]:
    try:
        broker = start_kafka(use_external=False, users=[user for _, user, _ in PLAN])
    except ServiceUnavailable as exc:
        unavailable(str(exc))
    try:
        acls = [acl for role, user, agency in PLAN for acl in acl_plan(role, user, agency)]
        with ThreadPoolExecutor(
            3
        ) as pool:  # applied with Kafka's own kafka-acls tool, a JVM each: a few at once
            list(pool.map(lambda acl: broker.kafka_tool(ACL_TOOL, *acl.arguments()), acls))
        yield broker
    finally:
        broker.stop(graceful=False)


def login(broker: KafkaBroker, user: str) -> KafkaLogin:
    return KafkaLogin(user, broker.users[user])


def bus_of(broker: KafkaBroker, user: str, *, replies: bool = True, password: str | None = None) -> KafkaBus:
    credentials = KafkaLogin(user, password) if password is not None else login(broker, user)
    return KafkaBus(
        broker.bootstrap, f"{user}-{uuid.uuid4().hex[:8]}", login=credentials, replies=replies,
        session_timeout_ms=2000, metadata_max_age_ms=1000, request_timeout_ms=5000,
    )  # fmt: skip


@pytest.fixture
async def gateway(secured_kafka: KafkaBroker) -> AsyncIterator[Bus]:
    bus = bus_of(secured_kafka, "gateway")
    await bus.start()
    await bus.ensure_topics([OWN.service_topic, OTHER.service_topic, SHARE_ACK_TOPIC])  # as `lgsp up` does
    yield bus
    await bus.stop()


@pytest.fixture
async def connector(secured_kafka: KafkaBroker) -> AsyncIterator[Bus]:
    bus = bus_of(secured_kafka, "cn-h50-20", replies=False)
    await bus.start()
    yield bus
    await bus.stop()


class TestConnectorAnswersItsAgency:
    async def test_a_call_is_answered_over_logged_in_clients(self, gateway: Bus, connector: Bus) -> None:
        async def echo(request):  # type: ignore[no-untyped-def]
            await connector.reply(request, make_reply(request, source="urn:test:h50.20", data=request.data))

        member = await connector.subscribe([OWN.service_topic], OWN.consumer_group, echo)
        await member.ready()

        reply = await gateway.request(OWN.service_topic, request_envelope(b'"P-1"'), timeout=15)

        assert reply.data == b'"P-1"'


async def read_until_refused(reader: AIOKafkaConsumer) -> None:
    for _ in range(20):
        await reader.getmany(timeout_ms=500)


class TestConnectorConfined:
    async def test_it_cannot_join_another_agencys_requests(self, gateway: Bus, connector: Bus) -> None:
        async def never(request):  # type: ignore[no-untyped-def]
            raise AssertionError("read another agency's request")

        with pytest.raises(BusUnavailable, match=r"authoriz|error 29"):
            await connector.subscribe([OTHER.service_topic], OTHER.consumer_group, never)

    async def test_it_cannot_acknowledge_shares(self, connector: Bus) -> None:
        with pytest.raises(BusUnavailable):
            await connector.publish(SHARE_ACK_TOPIC, request_envelope(b"{}"))

    async def test_it_cannot_read_the_replies(self, secured_kafka: KafkaBroker, gateway: Bus) -> None:
        reader = AIOKafkaConsumer(
            bootstrap_servers=secured_kafka.bootstrap,
            group_id=None,
            **secured_kafka.client_options("cn-h50-20"),
        )
        await reader.start()
        try:
            reader.assign([TopicPartition(gateway.reply_topic, 0)])
            with pytest.raises(TopicAuthorizationFailedError):
                await read_until_refused(reader)
        finally:
            await reader.stop()


class TestOnlyTheWarehouseAcknowledges:
    async def test_the_warehouse_writes_acknowledgements(
        self, secured_kafka: KafkaBroker, gateway: Bus
    ) -> None:
        warehouse = bus_of(secured_kafka, "warehouse", replies=False)
        await warehouse.start()
        try:
            await warehouse.publish(SHARE_ACK_TOPIC, request_envelope(b"{}"))
        finally:
            await warehouse.stop()

    async def test_a_gateway_does_not(self, gateway: Bus) -> None:
        with pytest.raises(BusUnavailable):
            await gateway.publish(SHARE_ACK_TOPIC, request_envelope(b"{}"))


class TestLoginRequired:
    async def test_a_wrong_password_cannot_start_a_bus(self, secured_kafka: KafkaBroker) -> None:
        with pytest.raises(BusUnavailable):
            await bus_of(secured_kafka, "gateway", password="not-the-password").start()


class TestAclsCommand:
    def test_it_prints_the_plan_as_kafka_acls_commands(self) -> None:
        done = CliRunner().invoke(
            app, ["bus", "acls", "connector", "--user", "cn-h50-20", "--agency", "H50.20"]
        )

        assert done.exit_code == 0, done.output
        lines = done.output.splitlines()
        assert len(lines) == len(acl_plan(Role.CONNECTOR, "cn-h50-20", "H50.20"))
        assert all(
            line.startswith("kafka-acls.sh --bootstrap-server localhost:9092 --command-config")
            for line in lines
        )
        assert "--topic lgsp.svc.h50_20. --resource-pattern-type prefixed" in done.output

    def test_a_connector_without_an_agency_is_one_line_of_error(self) -> None:
        done = CliRunner().invoke(app, ["bus", "acls", "connector", "--user", "cn"])

        assert done.exit_code == 1
        assert "--agency" in done.output
        assert "Traceback" not in done.output

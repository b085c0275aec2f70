"""The AsyncAPI documents, parsed by the official AsyncAPI parser (`@asyncapi/parser`), and the messages a
gateway on Kafka really puts on the broker, validated against what those documents say; every bus message read
back is parsed by the official CloudEvents SDK."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from contracts.addresses import Address
from registry.demo import DEMO_DIR, load_contracts
from tests.conformance.conftest import DemoDocuments
from tests.conformance.tools import asyncapi_parse
from tests.harness import Harness, gateway_settings, register_contract, running_gateway
from tests.kafka.broker import KafkaBroker

DATASET = Address("H50.20", "thua-dat", 1)
SERVICE = Address("H50.20", "tra-cuu-thua-dat", 1)
CONTRACTS = DEMO_DIR / "contracts"


class TestOfficialParser:
    def test_every_demo_document_parses_without_errors(self, demo_documents: DemoDocuments) -> None:
        files = demo_documents.files("asyncapi-")
        assert len(files) >= 2
        verdicts = asyncapi_parse(files)
        assert [(v["file"], v["errors"]) for v in verdicts if not v["parsed"] or v["errors"]] == []
        assert len(verdicts) == len(files)

    def test_the_parser_does_refuse_a_broken_document(self, demo_documents: DemoDocuments) -> None:
        document = dict(demo_documents.documents["asyncapi-catalogue"])
        del document["info"]
        path = demo_documents.directory / "broken-asyncapi.json"
        path.write_bytes(orjson.dumps(document))
        (verdict,) = asyncapi_parse([path])
        assert not verdict["parsed"]
        assert verdict["errors"]


@dataclass
class Wire:
    """What a gateway on Kafka served and sent: its datasets' AsyncAPI document and the records read back."""

    asyncapi: dict[str, Any]
    share: Any  # aiokafka ConsumerRecord
    request: Any
    shared: list[dict[str, Any]]


def headers_of(record: Any) -> dict[str, bytes]:
    return dict(record.headers)


async def first_on(consumer: AIOKafkaConsumer, topic: str) -> Any:
    async with asyncio.timeout(30):
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            for partition, records in batches.items():
                if partition.topic == topic and records:
                    return records[0]


async def land_department(harness: Harness) -> dict[str, str]:
    """H50.20 with its land database, the demo's land dataset and lookup, and a client granted both."""
    await harness.create_agency("H50.20", "Sở Tài nguyên và Môi trường")
    await harness.create_database("H50.20", "csdl-dat-dai", "CSDL đất đai")
    for name in ("H50.20--thua-dat--1.0.0.yaml", "H50.20--tra-cuu-thua-dat--1.0.0.yaml"):
        assert (await register_contract(harness, CONTRACTS / name)).status_code == 201
    client_id, secret = await harness.create_client("H50.20", "ket-noi-tnmt")
    for address in (DATASET, SERVICE):
        grant = {"client_id": client_id, "address": str(address), "purpose": "chia sẻ dữ liệu đất đai"}
        assert (await harness.post("/api/v1/grants", grant)).status_code == 201
    return await harness.auth(client_id, secret)


@pytest.fixture(scope="module")
async def wire(kafka_broker: KafkaBroker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Wire]:
    data: Path = tmp_path_factory.mktemp("wire")
    settings = gateway_settings(
        f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data, kafka_bootstrap=kafka_broker.bootstrap,
        instance_id=f"gw-{uuid.uuid4().hex[:8]}", reply_timeout_seconds=1,
    )  # fmt: skip
    async with running_gateway(settings) as harness:
        headers = await land_department(harness)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=kafka_broker.bootstrap,
            group_id=f"conformance-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            # The topics may not exist yet when it subscribes: notice them within a second, not aiokafka's 5 min.
            metadata_max_age_ms=1000,
        )
        await consumer.start()
        try:
            consumer.subscribe([DATASET.share_topic, SERVICE.service_topic])
            (dataset,) = [d for d in load_contracts() if d.address == DATASET]
            shared = [example.record for example in dataset.examples]
            accepted = await harness.http.post(f"/share/{DATASET}", json={"records": shared}, headers=headers)
            assert accepted.status_code == 202, accepted.text
            share = await first_on(consumer, DATASET.share_topic)
            request = {"ma_xa": "19333", "so_to": 12, "so_thua": 145}
            unanswered = await harness.http.post(f"/exchange/{SERVICE}", json=request, headers=headers)
            assert unanswered.status_code == 504  # no connector: only the request on the wire matters here
            sent = await first_on(consumer, SERVICE.service_topic)
        finally:
            await consumer.stop()
        asyncapi = (await harness.http.get(f"/api/v1/datasets/{DATASET}/asyncapi.json")).json()
        yield Wire(asyncapi=asyncapi, share=share, request=sent, shared=shared)


def validator(document: dict[str, Any], pointer: str) -> jsonschema_rs.Validator:
    """A validator for the schema at `pointer` inside an AsyncAPI document, its `$ref`s resolved there."""
    return jsonschema_rs.Draft202012Validator({"$ref": pointer, "components": document["components"]})


@pytest.mark.kafka
class TestSharedBatchesMatchTheirDocument:
    def test_the_document_names_the_kafka_server(self, wire: Wire, kafka_broker: KafkaBroker) -> None:
        assert wire.asyncapi["servers"]["kafka"]["host"] == kafka_broker.bootstrap
        (channel,) = wire.asyncapi["channels"].values()
        assert channel["address"] == DATASET.share_topic == wire.share.topic

    def test_the_value_matches_the_documented_payload(self, wire: Wire) -> None:
        (message,) = wire.asyncapi["components"]["messages"].values()
        payload = validator(wire.asyncapi, message["payload"]["$ref"] + "/schema")
        value = orjson.loads(wire.share.value)
        assert [error.message for error in payload.iter_errors(value)] == []
        assert value == {"records": wire.shared}

    def test_the_headers_match_the_documented_headers(self, wire: Wire) -> None:
        (message,) = wire.asyncapi["components"]["messages"].values()
        headers = validator(wire.asyncapi, message["headers"]["$ref"])
        on_the_wire = {name: value.decode() for name, value in headers_of(wire.share).items()}
        assert [error.message for error in headers.iter_errors(on_the_wire)] == []
        assert {"ce_consumer", "ce_signature"} <= on_the_wire.keys()
        documented = wire.asyncapi["components"]["schemas"]["CloudEventHeaders"]["properties"]
        assert on_the_wire.keys() <= documented.keys()


@pytest.mark.kafka
class TestCloudEventsSdkReadsBusMessages:
    @pytest.mark.parametrize("which", ["share", "request"])
    def test_parsed_as_binary_mode_cloudevents(self, wire: Wire, which: str) -> None:
        record = getattr(wire, which)
        message = KafkaMessage(headers=headers_of(record), key=record.key, value=record.value)
        event = from_binary(message, JSONFormat())
        headers = headers_of(record)
        assert event.get_specversion() == "1.0"
        assert event.get_id() == headers["ce_id"].decode()
        expected = {"share": "vn.lgsp.share.records", "request": "vn.lgsp.exchange.request"}[which]
        assert event.get_type() == expected
        assert event.get_subject() == str(DATASET if which == "share" else SERVICE)
        assert event.get_data() == orjson.loads(record.value)

"""The bus envelope in CloudEvents Kafka binary mode, read and written by us and by the CloudEvents SDK."""

from __future__ import annotations

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from contracts.envelope import (
    EXCHANGE_REPLY,
    EXCHANGE_REQUEST,
    STATUS_ERROR,
    Envelope,
    EnvelopeInvalid,
    from_kafka,
    make_reply,
    to_kafka_headers,
)

REQUEST = Envelope(
    id="0190f3a2-7c1e-7000-8000-000000000001",
    source="urn:lgsp:gateway:gw-1",
    type=EXCHANGE_REQUEST,
    subject="H50.20/tra-cuu-thua-dat/v1",
    data='{"parcel_id": "P-1", "owner": "Nguyễn Văn A"}'.encode(),
    time="2025-03-01T08:00:00.000000Z",
    replyto="lgsp.reply.gw-1",
    consumer="H50.1",
    traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    signature="eyJhbGciOiJFUzI1NiIsImtpZCI6Imd3LTEifQ..c2lnbmF0dXJl",
)


class TestKafkaBinaryMode:
    def test_every_attribute_survives_the_round_trip(self) -> None:
        headers = to_kafka_headers(REQUEST)

        assert from_kafka(headers, REQUEST.data, REQUEST.key) == REQUEST

    def test_attributes_are_ce_headers_and_the_content_type_header(self) -> None:
        headers = dict(to_kafka_headers(REQUEST))

        assert headers["ce_specversion"] == b"1.0"
        assert headers["ce_id"] == REQUEST.id.encode()
        assert headers["ce_source"] == b"urn:lgsp:gateway:gw-1"
        assert headers["ce_type"] == b"vn.lgsp.exchange.request"
        assert headers["ce_subject"] == b"H50.20/tra-cuu-thua-dat/v1"
        assert headers["ce_replyto"] == b"lgsp.reply.gw-1"
        assert headers["ce_consumer"] == b"H50.1"
        assert headers["content-type"] == b"application/json"

    def test_absent_attributes_are_not_sent(self) -> None:
        bare = Envelope(id="1", source="urn:x", type=EXCHANGE_REQUEST, datacontenttype=None)

        assert dict(to_kafka_headers(bare)).keys() == {"ce_specversion", "ce_id", "ce_source", "ce_type"}
        assert from_kafka(to_kafka_headers(bare), None) == bare

    def test_the_id_is_the_key_unless_a_partition_key_is_given(self) -> None:
        keyed = Envelope(id="1", source="urn:x", type=EXCHANGE_REQUEST, partitionkey="P-1")

        assert REQUEST.key == REQUEST.id.encode()
        assert keyed.key == b"P-1"
        assert from_kafka(to_kafka_headers(keyed), b"", keyed.key) == keyed

    @pytest.mark.parametrize("missing", ["ce_specversion", "ce_id", "ce_source", "ce_type"])
    def test_a_message_without_a_required_attribute_is_refused(self, missing: str) -> None:
        headers = [(name, value) for name, value in to_kafka_headers(REQUEST) if name != missing]

        with pytest.raises(EnvelopeInvalid, match=missing):
            from_kafka(headers, REQUEST.data)

    def test_another_spec_version_is_refused(self) -> None:
        headers = [(n, b"0.3" if n == "ce_specversion" else v) for n, v in to_kafka_headers(REQUEST)]

        with pytest.raises(EnvelopeInvalid, match=r"0\.3"):
            from_kafka(headers, REQUEST.data)

    def test_a_header_that_is_not_utf8_is_refused(self) -> None:
        headers = [*to_kafka_headers(REQUEST), ("ce_consumer", b"\xff\xfe")]

        with pytest.raises(EnvelopeInvalid, match="UTF-8"):
            from_kafka(headers, REQUEST.data)


class TestCloudEventsInterop:
    def test_the_sdk_reads_our_messages(self) -> None:
        message = KafkaMessage(headers=dict(to_kafka_headers(REQUEST)), key=REQUEST.key, value=REQUEST.data)

        event = from_binary(message, JSONFormat())

        assert event.get_id() == REQUEST.id
        assert event.get_type() == REQUEST.type
        assert event.get_subject() == REQUEST.subject
        assert event.get_extension("replyto") == REQUEST.replyto
        assert event.get_data() == {"parcel_id": "P-1", "owner": "Nguyễn Văn A"}

    def test_we_read_the_sdks_messages(self) -> None:
        event = CloudEvent(
            {"id": "e-1", "source": "urn:other", "type": EXCHANGE_REQUEST, "consumer": "H50.3"},
            {"q": 1},
        )
        message = to_binary(event, JSONFormat())

        envelope = from_kafka(message.headers.items(), message.value)

        assert (envelope.id, envelope.source, envelope.consumer, envelope.data) == (
            "e-1",
            "urn:other",
            "H50.3",
            b'{"q": 1}',
        )


class TestReply:
    def test_a_reply_answers_its_request(self) -> None:
        reply = make_reply(REQUEST, source="urn:lgsp:connector:H50.20", data=b"{}", status=STATUS_ERROR)

        assert reply.type == EXCHANGE_REPLY
        assert (reply.id, reply.subject, reply.consumer, reply.traceparent) == (
            REQUEST.id,
            REQUEST.subject,
            REQUEST.consumer,
            REQUEST.traceparent,
        )
        assert (reply.status, reply.replyto, reply.signature) == (STATUS_ERROR, None, None)

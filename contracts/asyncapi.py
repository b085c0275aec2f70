"""AsyncAPI 3.0 for datasets: one Kafka channel per dataset address, a batch of its records as each message.

Records reach the topic through the gateway's share endpoint (`POST /share/{agency}/{dataset}/v{major}`): the
gateway checks the batch `{"records": [...]}`, then puts it on the topic unchanged as one CloudEvent (Kafka
binary mode: `ce_*` headers, the batch as the value) for the warehouse to consume.
"""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from contracts.document import ContractDocument, Kind
from contracts.envelope import SHARE_RECORDS
from contracts.openapi import declare_required, latest_per_address
from contracts.subschemas import rebase_refs

ASYNCAPI_VERSION = "3.0.0"
SHARE_EVENT_TYPE = SHARE_RECORDS
MAX_RECORDS = 10_000  # what the gateway accepts in one share
SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"
KAFKA_BINDING_VERSION = "0.5.0"


def share_path(doc: ContractDocument) -> str:
    address = doc.address
    return f"/share/{address.agency}/{address.code}/v{address.major}"


def _id(doc: ContractDocument) -> str:
    address = doc.address
    return f"{address.agency}.{address.code}.v{address.major}"


def _cloudevents_headers() -> dict[str, Any]:
    def header(description: str, **schema: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **schema}

    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in Kafka binary content mode",
        "required": [
            "ce_specversion",
            "ce_id",
            "ce_type",
            "ce_source",
            "ce_subject",
            "ce_time",
            "ce_consumer",
            "ce_signature",
        ],
        "properties": {
            "ce_specversion": header("CloudEvents version", const="1.0"),
            "ce_id": header("The share exchange id, as in the exchange log"),
            "ce_type": header("Event type", const=SHARE_EVENT_TYPE),
            "ce_source": header("The gateway instance that accepted the share"),
            "ce_subject": header("The dataset address, AGENCY/DATASET/vMAJOR"),
            "ce_time": header("When the gateway accepted the share (RFC 3339)", format="date-time"),
            "ce_consumer": header("The code of the agency whose client shared the batch"),
            "ce_traceparent": header(
                "W3C trace context", pattern="^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
            ),
            "ce_signature": header(
                "The gateway's detached JWS (RFC 7515 Appendix F, `header..signature`) over the event's id, "
                "type, subject, time, consumer, replyto and the SHA-256 of the value; verify it against the "
                "gateway's /.well-known/envelope-jwks.json",
                pattern="^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$",
            ),
            "content-type": header(
                "The value's media type (CloudEvents datacontenttype)", const="application/json"
            ),
        },
    }


def _batch_schema(doc: ContractDocument, name: str) -> dict[str, Any]:
    """The message value: the batch as shared, `{"records": [...]}`, each record per the dataset's contract."""
    record = doc.schemas()["record"]
    items = declare_required(
        rebase_refs(record, f"/components/schemas/{name}/schema/properties/records/items")
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{doc.title} (batch)",
        "type": "object",
        "required": ["records"],
        "properties": {
            "records": {
                "type": "array",
                "maxItems": MAX_RECORDS,
                "description": "The records shared in one call, each valid against the dataset's contract",
                "items": {key: value for key, value in items.items() if key != "$schema"},
            }
        },
    }


def _servers(server_url: str, kafka_bootstrap: str | None) -> dict[str, Any]:
    url = urlsplit(server_url)
    servers: dict[str, Any] = {
        "gateway": {
            "host": url.netloc,
            "protocol": url.scheme or "http",
            "description": "The LGSP gateway: connectors publish record batches with POST /share/...",
        }
    }
    if url.path.strip("/"):
        servers["gateway"]["pathname"] = "/" + url.path.strip("/")
    if kafka_bootstrap:
        servers["kafka"] = {"host": kafka_bootstrap, "protocol": "kafka", "description": "The event bus"}
    return servers


def datasets_asyncapi(
    docs: Sequence[ContractDocument],
    *,
    server_url: str = "http://localhost:8080",
    kafka_bootstrap: str | None = None,
    title: str = "LGSP shared datasets",
    version: str = "1",
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the datasets in `docs` (the latest version of each major)."""
    datasets = latest_per_address(docs, Kind.DATASET)
    schemas: dict[str, Any] = {"CloudEventHeaders": _cloudevents_headers()}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for doc in datasets:
        name = _id(doc)
        topic = doc.address.share_topic
        schemas[name] = {"schemaFormat": SCHEMA_FORMAT, "schema": _batch_schema(doc, name)}
        message: dict[str, Any] = {
            "name": name,
            "title": doc.title,
            "summary": f"A batch of records of {doc.address} (contract {doc.version}), as shared",
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "x-lgsp-key": list(doc.key),
            "x-lgsp-sensitive": list(doc.sensitive),
        }
        if doc.examples:
            message["examples"] = [
                {"name": example.name, "payload": {"records": [example.record]}} for example in doc.examples
            ]
        messages[name] = message
        channel: dict[str, Any] = {
            "address": topic,
            "title": doc.title,
            "description": (
                f"{doc.description}\n\nPublished by the provider's connector with `POST {share_path(doc)}`; "
                f"the gateway validates each record and puts it on Kafka topic `{topic}` for the warehouse, "
                f"which upserts by key {list(doc.key)}."
            ).strip(),
            "messages": {"batch": {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
            "x-lgsp-address": str(doc.address),
            "x-lgsp-share-endpoint": f"POST {share_path(doc)}",
            "x-lgsp-provider": doc.provider,
            "x-lgsp-database": doc.database,
            "x-lgsp-classification": str(doc.classification),
            "x-lgsp-contract-version": doc.version,
        }
        if kafka_bootstrap:
            channel["servers"] = [{"$ref": "#/servers/kafka"}]
        channels[name] = channel
        operations[f"share.{name}"] = {
            "action": "send",
            "title": f"Share {doc.title}",
            "summary": f"The gateway publishes records accepted at POST {share_path(doc)}",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/batch"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": title, "version": version, "description": f"{len(datasets)} datasets"},
        "defaultContentType": "application/json",
        "servers": _servers(server_url, kafka_bootstrap),
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }

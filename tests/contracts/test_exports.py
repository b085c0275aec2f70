import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from openapi_spec_validator import validate as validate_openapi

from contracts import pointers
from contracts.asyncapi import SHARE_EVENT_TYPE, datasets_asyncapi
from contracts.document import ContractDocument
from contracts.errors import InvalidInput
from contracts.loading import load_contract
from contracts.openapi import ERRORS, catalogue_openapi, service_openapi

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> ContractDocument:
    return load_contract((FIXTURES / name).read_bytes())


def variant(doc: ContractDocument, changes: dict[str, Any]) -> ContractDocument:
    # validated anew: model_copy(update=...) would keep a stale cached version key
    return ContractDocument.model_validate(doc.model_dump() | changes)


@pytest.fixture(scope="module")
def land() -> ContractDocument:
    return fixture("tra-cuu-thua-dat-1.0.yaml")


@pytest.fixture(scope="module")
def parcels() -> ContractDocument:
    return fixture("thua-dat-dataset.yaml")


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def embedded_validator(document: dict[str, Any], ref: str) -> jsonschema_rs.Validator:
    """A validator for a schema as it sits inside `document`, resolving its `$ref`s there."""
    registry = jsonschema_rs.Registry([("urn:lgsp:document", document)])
    return jsonschema_rs.validator_for({"$ref": f"urn:lgsp:document{ref}"}, registry=registry)


class TestServiceOpenAPI:
    def test_is_a_valid_openapi_3_1_document(self, land: ContractDocument) -> None:
        document = service_openapi(land)
        assert document["openapi"].startswith("3.1")
        validate_openapi(document)

    def test_every_ref_resolves_in_the_document(self, land: ContractDocument) -> None:
        document = service_openapi(land)
        found = list(refs(document))
        assert "#/components/schemas/H50.20.tra-cuu-thua-dat.v1.Response/$defs/person" in found
        for ref in found:
            pointers.resolve(document, ref.removeprefix("#"))

    def test_embedded_schemas_still_validate_through_their_defs(self, land: ContractDocument) -> None:
        document = service_openapi(land)
        validator = embedded_validator(document, "#/components/schemas/H50.20.tra-cuu-thua-dat.v1.Response")
        good = land.examples[0].response
        assert validator.is_valid(good)
        assert not validator.is_valid({**good, "owner": {"full_name": "An", "citizen_id": "12"}})

    def test_operation_at_the_exchange_path(self, land: ContractDocument) -> None:
        document = service_openapi(land, server_url="https://lgsp.quangtri.gov.vn")
        operation = document["paths"]["/exchange/H50.20/tra-cuu-thua-dat/v1"]["post"]
        assert document["servers"] == [{"url": "https://lgsp.quangtri.gov.vn"}]
        assert operation["requestBody"]["content"]["application/json"]["examples"]["thua-dat-ton-tai"][
            "value"
        ] == (land.examples[0].request)
        assert set(operation["responses"]) == {"200", "202"} | {str(status) for status in ERRORS}
        assert "Location" in operation["responses"]["202"]["headers"]
        assert operation["security"] == [{"oauth2": ["H50.20/tra-cuu-thua-dat/v1"]}]
        assert (
            operation["x-lgsp-classification"],
            operation["x-lgsp-database"],
            operation["x-lgsp-provider"],
        ) == (
            "restricted",
            "csdl-dat-dai",
            "H50.20",
        )

    def test_errors_are_rfc_9457_problems(self, land: ContractDocument) -> None:
        components = service_openapi(land)["components"]
        for name, _ in ERRORS.values():
            content = components["responses"][name]["content"]
            assert list(content) == ["application/problem+json"]
        problem = components["schemas"]["Problem"]
        assert {"type", "title", "status", "detail", "exchange_id", "errors"} <= set(problem["properties"])

    def test_token_url_and_scope(self, land: ContractDocument) -> None:
        scheme = service_openapi(land, server_url="https://lgsp.example/")["components"]["securitySchemes"][
            "oauth2"
        ]
        flow = scheme["flows"]["clientCredentials"]
        assert flow["tokenUrl"] == "https://lgsp.example/oauth/token"
        assert list(flow["scopes"]) == ["H50.20/tra-cuu-thua-dat/v1"]

    def test_info_comes_from_the_contract(self, land: ContractDocument) -> None:
        info = service_openapi(land)["info"]
        assert (info["title"], info["version"]) == ("Tra cứu thông tin thửa đất", "1.0.0")

    def test_a_dataset_has_no_openapi(self, parcels: ContractDocument) -> None:
        with pytest.raises(InvalidInput, match="AsyncAPI"):
            service_openapi(parcels)


class TestCatalogueOpenAPI:
    def test_one_path_per_address_at_its_latest_version(
        self, land: ContractDocument, parcels: ContractDocument
    ) -> None:
        v11 = fixture("tra-cuu-thua-dat-1.1.yaml")
        v2 = variant(land, {"version": "2.0.0"})
        other = variant(land, {"code": "tra-cuu-quy-hoach", "title": "Tra cứu quy hoạch"})
        document = catalogue_openapi([v11, land, v2, other, parcels])
        validate_openapi(document)
        assert sorted(document["paths"]) == [
            "/exchange/H50.20/tra-cuu-quy-hoach/v1",
            "/exchange/H50.20/tra-cuu-thua-dat/v1",
            "/exchange/H50.20/tra-cuu-thua-dat/v2",
        ]
        v1 = document["paths"]["/exchange/H50.20/tra-cuu-thua-dat/v1"]["post"]
        assert v1["x-lgsp-contract-version"] == "1.1.0"
        operation_ids = [path["post"]["operationId"] for path in document["paths"].values()]
        assert len(set(operation_ids)) == 3
        scopes = document["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"]
        assert len(scopes) == 3

    def test_schemas_of_different_services_do_not_collide(self, land: ContractDocument) -> None:
        other = variant(land, {"code": "tra-cuu-quy-hoach"})
        document = catalogue_openapi([land, other])
        names = set(document["components"]["schemas"])
        assert {"H50.20.tra-cuu-thua-dat.v1.Request", "H50.20.tra-cuu-quy-hoach.v1.Request"} <= names
        for ref in refs(document):
            pointers.resolve(document, ref.removeprefix("#"))


@pytest.fixture(scope="module")
def asyncapi_metaschema() -> jsonschema_rs.Validator:
    schema = json.loads(gzip.decompress((FIXTURES / "asyncapi-3.0.0-without-id.json.gz").read_bytes()))
    return jsonschema_rs.validator_for(schema)


class TestDatasetsAsyncAPI:
    def test_is_a_valid_asyncapi_3_document(
        self, parcels: ContractDocument, asyncapi_metaschema: jsonschema_rs.Validator
    ) -> None:
        for bootstrap in (None, "127.0.0.1:9092"):
            document = datasets_asyncapi([parcels], kafka_bootstrap=bootstrap)
            assert [error.message for error in asyncapi_metaschema.iter_errors(document)] == []

    def test_the_official_schema_does_catch_mistakes(
        self, asyncapi_metaschema: jsonschema_rs.Validator
    ) -> None:
        assert not asyncapi_metaschema.is_valid({"asyncapi": "3.0.0", "info": {"title": "x"}})

    def test_one_channel_per_dataset_on_its_share_topic(
        self, parcels: ContractDocument, land: ContractDocument
    ) -> None:
        other = variant(parcels, {"code": "giay-chung-nhan"})
        document = datasets_asyncapi([parcels, other, land])
        assert {channel["address"] for channel in document["channels"].values()} == {
            parcels.address.share_topic,
            other.address.share_topic,
        }
        for name, operation in document["operations"].items():
            channel_ref = operation["channel"]["$ref"]
            assert pointers.resolve(document, channel_ref.removeprefix("#"))["address"].startswith(
                "lgsp.share."
            )
            assert name.startswith("share.")

    def test_payload_is_a_batch_of_records(self, parcels: ContractDocument) -> None:
        document = datasets_asyncapi([parcels])
        (message,) = document["components"]["messages"].values()
        payload = pointers.resolve(document, message["payload"]["$ref"].removeprefix("#"))
        assert payload["schemaFormat"] == "application/schema+json;version=draft-2020-12"
        assert payload["schema"]["required"] == ["records"]
        items = payload["schema"]["properties"]["records"]["items"]
        assert items == {key: value for key, value in parcels.record.items() if key != "$schema"}
        assert message["examples"][0]["payload"] == {"records": [parcels.examples[0].record]}

    def test_a_shared_batch_is_valid_and_a_bare_record_is_not(self, parcels: ContractDocument) -> None:
        document = datasets_asyncapi([parcels])
        (message,) = document["components"]["messages"].values()
        payload = {"$ref": message["payload"]["$ref"] + "/schema", "components": document["components"]}
        validator = jsonschema_rs.Draft202012Validator(payload)
        record = parcels.examples[0].record
        assert validator.is_valid({"records": [record, record]})
        assert not validator.is_valid(record)
        assert not validator.is_valid({"records": [{"parcel_id": 1}]})

    def test_cloudevents_binary_mode_headers(self, parcels: ContractDocument) -> None:
        document = datasets_asyncapi([parcels])
        headers = document["components"]["schemas"]["CloudEventHeaders"]
        assert set(headers["required"]) == {
            "ce_specversion",
            "ce_id",
            "ce_type",
            "ce_source",
            "ce_subject",
            "ce_time",
            "ce_consumer",
            "ce_signature",
        }
        assert headers["properties"]["ce_type"]["const"] == SHARE_EVENT_TYPE == "vn.lgsp.share.records"

    def test_mentions_the_http_share_endpoint(self, parcels: ContractDocument) -> None:
        (channel,) = datasets_asyncapi([parcels])["channels"].values()
        assert "POST /share/H50.20/thua-dat/v1" in channel["description"]
        assert channel["x-lgsp-share-endpoint"] == "POST /share/H50.20/thua-dat/v1"

    def test_servers(self, parcels: ContractDocument) -> None:
        servers = datasets_asyncapi(
            [parcels], server_url="https://lgsp.example:8443", kafka_bootstrap="k1:9092"
        )["servers"]
        assert servers["gateway"]["host"] == "lgsp.example:8443"
        assert servers["kafka"] == {"host": "k1:9092", "protocol": "kafka", "description": "The event bus"}
        assert "kafka" not in datasets_asyncapi([parcels])["servers"]

    def test_refs_inside_records_are_rebased(self, parcels: ContractDocument) -> None:
        record = {
            "type": "object",
            "required": ["parcel_id"],
            "properties": {"parcel_id": {"$ref": "#/$defs/id"}},
            "$defs": {"id": {"type": "string"}},
        }
        document = datasets_asyncapi([variant(parcels, {"record": record})])
        for ref in refs(document):
            pointers.resolve(document, ref.removeprefix("#"))
        rebased = "#/components/schemas/H50.20.thua-dat.v1/schema/properties/records/items/$defs/id"
        assert rebased in set(refs(document))

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.document import Kind
from contracts.errors import ContractInvalid, ContractMalformed, PayloadTooLarge
from contracts.loading import check_document, load_contract, parse_document

FIXTURES = Path(__file__).parent / "fixtures"
SERVICE_YAML = (FIXTURES / "tra-cuu-thua-dat-1.0.yaml").read_text(encoding="utf-8")


def service(**changes: Any) -> dict[str, Any]:
    document = parse_document(SERVICE_YAML)
    document.update(changes)
    return document


def pointers_of(error: ContractInvalid) -> list[str]:
    return [issue["pointer"] for issue in error.errors]


def refused(document: dict[str, Any] | str) -> ContractInvalid:
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    with pytest.raises(ContractInvalid) as caught:
        load_contract(text)
    return caught.value


class TestValidDocuments:
    def test_loads_the_yaml_fixture(self) -> None:
        doc = load_contract(SERVICE_YAML.encode())
        assert (doc.kind, str(doc.address), doc.version) == (
            Kind.SERVICE,
            "H50.20/tra-cuu-thua-dat/v1",
            "1.0.0",
        )
        assert [example.name for example in doc.examples] == ["thua-dat-ton-tai", "dat-trong-cay-lau-nam"]

    def test_json_loads_to_the_same_document(self) -> None:
        from_yaml = load_contract(SERVICE_YAML)
        from_json = load_contract(json.dumps(parse_document(SERVICE_YAML), ensure_ascii=False).encode())
        assert from_json == from_yaml

    def test_dates_stay_strings(self) -> None:
        doc = load_contract(SERVICE_YAML)
        assert doc.examples[0].response["certificate"]["issued_on"] == "2019-06-14"

    def test_yaml_anchors_in_moderation_are_fine(self) -> None:
        text = SERVICE_YAML.replace("request:\n  $schema", "request: &req\n  $schema", 1)
        assert load_contract(text).request is not None


class TestMalformedText:
    def test_yaml_syntax_error_names_line_and_column(self) -> None:
        text = "kind: service\ncode: tra-cuu\ntitle: [unclosed\n"
        with pytest.raises(ContractMalformed) as caught:
            load_contract(text)
        assert "line 4, column 1" in caught.value.detail
        assert "line 3" in caught.value.detail  # where the flow sequence started

    def test_json_syntax_error_names_line_and_column(self) -> None:
        with pytest.raises(ContractMalformed) as caught:
            load_contract('{\n  "kind": "service",\n  "code" "x"\n}')
        assert "line 3, column" in caught.value.detail

    @pytest.mark.parametrize(("text", "what"), [("- a\n- b\n", "list"), ("", "empty"), ("42", "int")])
    def test_a_document_must_be_a_mapping(self, text: str, what: str) -> None:
        with pytest.raises(ContractMalformed, match=what):
            load_contract(text)

    def test_duplicate_keys_are_refused_with_their_line(self) -> None:
        with pytest.raises(ContractMalformed, match=r"duplicate key 'code' at line 3"):
            load_contract("kind: service\ncode: a\ncode: b\n")

    def test_not_utf8(self) -> None:
        with pytest.raises(ContractMalformed, match="UTF-8"):
            load_contract("title: Tra cứu".encode("utf-16"))

    def test_python_tags_are_refused(self) -> None:
        with pytest.raises(ContractMalformed):
            load_contract("kind: !!python/object/apply:os.system ['true']\n")

    def test_non_string_keys_are_refused_with_a_pointer(self) -> None:
        error = refused(
            SERVICE_YAML.replace("    commune_code: {", "    200: { type: string }\n    commune_code: {", 1)
        )
        assert pointers_of(error) == ["/request/properties"]
        assert "200" in error.errors[0]["message"]


class TestLimits:
    def test_oversized_document(self) -> None:
        with pytest.raises(PayloadTooLarge):
            load_contract(SERVICE_YAML, max_bytes=1000)

    def test_size_counts_bytes_not_characters(self) -> None:
        text = "title: " + "ứ" * 400
        with pytest.raises(PayloadTooLarge):
            load_contract(text, max_bytes=1000)

    def test_alias_bomb(self) -> None:
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
        with pytest.raises(ContractMalformed, match="aliases"):
            load_contract("\n".join(lines))

    def test_self_referencing_alias(self) -> None:
        with pytest.raises(ContractMalformed, match="refers to itself"):
            load_contract("kind: &loop [*loop]\n")

    def test_deep_yaml_nesting(self) -> None:
        with pytest.raises(ContractMalformed, match="nests deeper"):
            load_contract("x: " + "[" * 500 + "]" * 500)

    def test_deep_nesting_through_alias_chains(self) -> None:
        # each anchor is shallow; only following the aliases makes the document deep
        lines = ["a0: &a0 " + "[" * 40 + "x" + "]" * 40]
        lines += [f"a{n}: &a{n} " + "[" * 40 + f"*a{n - 1}" + "]" * 40 for n in range(1, 50)]
        with pytest.raises(ContractMalformed, match="through YAML aliases"):
            load_contract("\n".join(lines))

    def test_deep_json_nesting(self) -> None:
        with pytest.raises(ContractMalformed, match="nests deeper"):
            load_contract('{"x": ' + "[" * 200 + "]" * 200 + "}")


class TestModelErrors:
    def test_wrong_types_point_at_the_field(self) -> None:
        error = refused(service(version="1.0", examples=[{"name": ""}, {"name": "b", "extra": 1}]))
        assert set(pointers_of(error)) == {"/version", "/examples/0/name", "/examples/1/extra"}

    def test_value_error_prefix_is_dropped(self) -> None:
        error = refused(service(version="một"))
        assert error.errors[0]["message"].startswith("must be a semantic version")

    def test_missing_parts_for_the_kind(self) -> None:
        document = service()
        del document["response"]
        error = refused(document)
        assert "needs: response" in error.errors[0]["message"]


class TestSchemaChecks:
    def test_schema_must_satisfy_the_metaschema(self) -> None:
        document = service()
        document["request"]["properties"]["map_sheet"] = {"type": "integer", "minimum": "một"}
        error = refused(document)
        assert "/request/properties/map_sheet/minimum" in pointers_of(error)

    def test_unknown_type_name(self) -> None:
        document = service()
        document["request"]["properties"]["map_sheet"]["type"] = "int"
        assert "/request/properties/map_sheet/type" in pointers_of(refused(document))

    @pytest.mark.parametrize(
        "dialect", ["http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft/2019-09/schema"]
    )
    def test_other_dialects_are_refused(self, dialect: str) -> None:
        document = service()
        document["response"]["$schema"] = dialect
        assert pointers_of(refused(document)) == ["/response/$schema"]

    @pytest.mark.parametrize(
        "ref", ["https://example.com/person.json", "person.json#/x", "file:///etc/passwd"]
    )
    def test_remote_refs_are_refused_without_fetching(self, ref: str) -> None:
        document = service()
        document["response"]["properties"]["owner"] = {"$ref": ref}
        error = refused(document)
        assert pointers_of(error) == ["/response/properties/owner/$ref"]
        assert "not a local reference" in error.errors[0]["message"]

    def test_local_ref_to_nothing(self) -> None:
        document = service()
        document["response"]["properties"]["owner"] = {"$ref": "#/$defs/nguoi"}
        assert pointers_of(refused(document)) == ["/response/properties/owner/$ref"]

    def test_invalid_regex(self) -> None:
        document = service()
        document["request"]["properties"]["commune_code"]["pattern"] = "[0-9"
        assert "/request/properties/commune_code/pattern" in pointers_of(refused(document))

    def test_a_property_named_ref_is_not_a_reference(self) -> None:
        document = service()
        document["response"]["properties"]["$ref"] = {"type": "string"}
        assert load_contract(json.dumps(document)).response is not None


class TestExampleChecks:
    def test_example_mismatch_points_into_the_example(self) -> None:
        document = service()
        document["examples"][1]["response"]["owner"]["citizen_id"] = "12345"
        error = refused(document)
        assert pointers_of(error) == ["/examples/1/response/owner/citizen_id"]

    def test_every_mismatch_is_listed(self) -> None:
        document = service()
        document["examples"][0]["request"]["map_sheet"] = 0
        document["examples"][0]["response"]["land_use"] = "XYZ"
        error = refused(document)
        assert set(pointers_of(error)) == {"/examples/0/request/map_sheet", "/examples/0/response/land_use"}

    def test_service_examples_need_request_and_response(self) -> None:
        document = service()
        del document["examples"][0]["response"]
        document["examples"][1]["record"] = {}
        error = refused(document)
        assert set(pointers_of(error)) == {"/examples/0", "/examples/1/record"}

    def test_a_null_response_is_given_not_missing(self) -> None:
        document = service()
        document["examples"][0]["response"] = None
        assert pointers_of(refused(document)) == ["/examples/0/response"]

    def test_example_names_are_unique(self) -> None:
        document = service()
        document["examples"][1]["name"] = document["examples"][0]["name"]
        error = refused(document)
        assert pointers_of(error) == ["/examples/1/name"]

    def test_dataset_examples_need_a_record(self) -> None:
        document = parse_document((FIXTURES / "thua-dat-dataset.yaml").read_bytes())
        document["examples"].append({"name": "thieu", "request": {}})
        error = refused(document)
        assert set(pointers_of(error)) == {"/examples/1", "/examples/1/request"}

    def test_formats_are_asserted(self) -> None:
        document = service()
        document["examples"][0]["response"]["certificate"]["issued_on"] = "14/06/2019"
        assert pointers_of(refused(document)) == ["/examples/0/response/certificate/issued_on"]


class TestSensitivePointers:
    @pytest.mark.parametrize(
        "pointer", ["/owner/citizen_id", "/commune_code", "/certificate/number", "/owner"]
    )
    def test_resolve_in_request_or_response_through_refs(self, pointer: str) -> None:
        assert load_contract(json.dumps(service(sensitive=[pointer]))).sensitive == [pointer]

    def test_unresolved_pointer(self) -> None:
        error = refused(service(sensitive=["/owner/citizen_id", "/owner/cccd"]))
        assert pointers_of(error) == ["/sensitive/1"]
        assert "request or response" in error.errors[0]["message"]

    def test_array_segments_walk_items(self) -> None:
        document = service()
        document["response"]["properties"]["co_owners"] = {
            "type": "array",
            "items": {"$ref": "#/$defs/person"},
        }
        for pointer in ("/co_owners/*/citizen_id", "/co_owners/0/citizen_id"):
            assert load_contract(json.dumps({**document, "sensitive": [pointer]})).sensitive == [pointer]
        assert pointers_of(refused({**document, "sensitive": ["/co_owners/x/citizen_id"]})) == [
            "/sensitive/0"
        ]


class TestDatasetKeys:
    def dataset(self, **changes: Any) -> dict[str, Any]:
        document = parse_document((FIXTURES / "thua-dat-dataset.yaml").read_bytes())
        document.update(changes)
        return document

    def test_key_field_must_be_a_property(self) -> None:
        error = refused(self.dataset(key=["parcel_id", "so_thua"]))
        assert pointers_of(error) == ["/key/1"]

    def test_key_field_must_be_required(self) -> None:
        document = self.dataset()
        document["record"]["required"].remove("parcel_id")
        error = refused(document)
        assert pointers_of(error) == ["/key/0"]
        assert "require" in error.errors[0]["message"]


class TestCheckDocument:
    def test_a_sound_document_has_no_issues(self) -> None:
        assert check_document(load_contract(SERVICE_YAML)) == []

    def test_every_issue_is_listed_together(self) -> None:
        document = service()
        document["examples"][0]["request"]["map_sheet"] = "12"
        document["examples"][1]["name"] = document["examples"][0]["name"]
        document["response"]["properties"]["owner"] = {"$ref": "https://example.com/p.json"}
        error = refused(document)
        assert set(pointers_of(error)) == {
            "/response/properties/owner/$ref",
            "/examples/0/request/map_sheet",
            "/examples/1/name",
        }
        assert error.detail.startswith("invalid contract: ")
        assert "(and 2 more)" in error.detail

    def test_sensitive_pointers_are_not_judged_against_a_broken_schema(self) -> None:
        document = service()
        document["response"]["properties"]["owner"] = {"$ref": "#/$defs/nobody"}
        assert pointers_of(refused(document)) == ["/response/properties/owner/$ref"]

"""DESIGN.md §7a, rule by rule: each change with the breaking kinds it yields under backward and forward.

Backward: the new schema reads data written under the old. Forward: the old reads the new. Full: both, so
its expectation is the union of the other two (checked for every row as well).
"""

from pathlib import Path
from typing import Any

import pytest

from contracts.compatibility import BreakingChange, check_compatibility, check_schema
from contracts.document import CompatibilityMode, ContractDocument
from contracts.loading import load_contract

FIXTURES = Path(__file__).parent / "fixtures"
OPEN: Any = object()  # no additionalProperties keyword


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), additional: Any = OPEN) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if additional is not OPEN:
        schema["additionalProperties"] = additional
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
Found = set[tuple[str, str]]

# (rule, old, new, breaking (kind, pointer) under backward, under forward)
RULES: list[tuple[str, Any, Any, Found, Found]] = [
    (
        "property removed from an open model",
        obj({"a": STR, "b": STR}),
        obj({"a": STR}),
        set(),
        {("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")},
    ),
    (
        "typed property added to an open model",
        obj({"a": STR}),
        obj({"a": STR, "b": STR}),
        {("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")},
        set(),
    ),
    ("untyped property added to an open model", obj({"a": STR}), obj({"a": STR, "b": {}}), set(), set()),
    (
        "optional property added to a closed model",
        obj({"a": STR}, additional=False),
        obj({"a": STR, "b": STR}, additional=False),
        set(),
        {("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")},
    ),
    (
        "property removed from a closed model",
        obj({"a": STR, "b": STR}, additional=False),
        obj({"a": STR}, additional=False),
        {("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")},
        set(),
    ),
    (
        "property added to a partially open model, covered by its additionalProperties",
        obj({"a": STR}, additional=STR),
        obj({"a": STR, "b": STR}, additional=STR),
        set(),
        set(),
    ),
    (
        "property added to a partially open model, not covered",
        obj({"a": STR}, additional=STR),
        obj({"a": STR, "b": INT}, additional=STR),
        {("PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "/properties/b")},
        {("PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "/properties/b")},
    ),
    (
        "required property with a default added to a closed model",
        obj({"a": STR}, ("a",), additional=False),
        obj({"a": STR, "b": {**STR, "default": "x"}}, ("a", "b"), additional=False),
        set(),
        {("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")},
    ),
    (
        "required property without a default added to a closed model",
        obj({"a": STR}, ("a",), additional=False),
        obj({"a": STR, "b": STR}, ("a", "b"), additional=False),
        {("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "/properties/b")},
        {("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/properties/b")},
    ),
    (
        "required property without a default added to an open model",
        obj({"a": STR}),
        obj({"a": STR, "b": STR}, ("b",)),
        {("REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/b")},
        set(),
    ),
    (
        "required entry removed",
        obj({"a": STR}, ("a",)),
        obj({"a": STR}),
        set(),
        {("REQUIRED_ATTRIBUTE_ADDED", "/properties/a")},
    ),
    (
        "required entry added to an existing property, with a default",
        obj({"a": {**STR, "default": ""}}),
        obj({"a": {**STR, "default": ""}}, ("a",)),
        set(),
        set(),
    ),
    ("integer widened to number", INT, {"type": "number"}, set(), {("TYPE_NARROWED", "/type")}),
    ("null dropped from a type list", {"type": ["string", "null"]}, STR, {("TYPE_NARROWED", "/type")}, set()),
    ("type changed", STR, INT, {("TYPE_CHANGED", "/type")}, {("TYPE_CHANGED", "/type")}),
    (
        "maxLength loosened",
        {**STR, "maxLength": 10},
        {**STR, "maxLength": 20},
        set(),
        {("MAX_LENGTH_DECREASED", "/maxLength")},
    ),
    ("maxLength added", STR, {**STR, "maxLength": 20}, {("MAX_LENGTH_ADDED", "/maxLength")}, set()),
    (
        "minLength loosened",
        {**STR, "minLength": 3},
        {**STR, "minLength": 1},
        set(),
        {("MIN_LENGTH_INCREASED", "/minLength")},
    ),
    (
        "minimum tightened",
        {**INT, "minimum": 0},
        {**INT, "minimum": 1},
        {("MINIMUM_INCREASED", "/minimum")},
        set(),
    ),
    ("maximum removed", {**INT, "maximum": 9}, INT, set(), {("MAXIMUM_ADDED", "/maximum")}),
    (
        "exclusiveMinimum tightened",
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "number", "exclusiveMinimum": 1},
        {("EXCLUSIVE_MINIMUM_INCREASED", "/exclusiveMinimum")},
        set(),
    ),
    (
        "maxItems tightened",
        {"type": "array", "maxItems": 5},
        {"type": "array", "maxItems": 3},
        {("MAX_ITEMS_DECREASED", "/maxItems")},
        set(),
    ),
    (
        "pattern changed",
        {**STR, "pattern": "^[0-9]{9}$"},
        {**STR, "pattern": "^[0-9]{12}$"},
        {("PATTERN_CHANGED", "/pattern")},
        {("PATTERN_CHANGED", "/pattern")},
    ),
    (
        "enum values added",
        {"enum": ["a", "b"]},
        {"enum": ["a", "b", "c"]},
        set(),
        {("ENUM_ARRAY_NARROWED", "/enum")},
    ),
    (
        "enum values replaced",
        {"enum": ["a", "b"]},
        {"enum": ["a", "c"]},
        {("ENUM_ARRAY_CHANGED", "/enum")},
        {("ENUM_ARRAY_CHANGED", "/enum")},
    ),
    (
        "oneOf branch added",
        {"oneOf": [STR, INT]},
        {"oneOf": [STR, INT, {"type": "null"}]},
        set(),
        {("SUM_TYPE_NARROWED", "/oneOf/2")},
    ),
    (
        "anyOf branch removed",
        {"anyOf": [STR, INT]},
        {"anyOf": [STR]},
        {("SUM_TYPE_NARROWED", "/anyOf/1")},
        set(),
    ),
    (
        "oneOf branch replaced",
        {"oneOf": [STR, INT]},
        {"oneOf": [STR, {"type": "boolean"}]},
        {("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "/oneOf/1")},
        {("COMBINED_TYPE_SUBSCHEMAS_CHANGED", "/oneOf/1")},
    ),
    (
        "value made nullable through anyOf",
        STR,
        {"anyOf": [STR, {"type": "null"}]},
        set(),
        {("TYPE_CHANGED", "/anyOf/1/type")},
    ),
    (
        "oneOf loosened to anyOf",
        {"oneOf": [STR, INT]},
        {"anyOf": [STR, INT]},
        set(),
        {("COMBINED_TYPE_CHANGED", "/oneOf")},
    ),
    (
        "closed model opened",
        obj({"a": STR}, additional=False),
        obj({"a": STR}),
        set(),
        {("ADDITIONAL_PROPERTIES_CLOSED", "/additionalProperties")},
    ),
    (
        "additionalProperties widened from a schema to anything",
        obj({}, additional=STR),
        obj({}, additional=True),
        set(),
        {("ADDITIONAL_PROPERTIES_NARROWED", "/additionalProperties")},
    ),
    (
        "additionalProperties narrowed inside its schema",
        obj({}, additional={"type": "number"}),
        obj({}, additional=INT),
        {("TYPE_NARROWED", "/additionalProperties/type")},
        set(),
    ),
    (
        "tuple position added to a closed tuple",
        {"type": "array", "prefixItems": [STR], "items": False},
        {"type": "array", "prefixItems": [STR, INT], "items": False},
        set(),
        {("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "/prefixItems/1")},
    ),
    (
        "array items changed type",
        {"type": "array", "items": STR},
        {"type": "array", "items": INT},
        {("TYPE_CHANGED", "/items/type")},
        {("TYPE_CHANGED", "/items/type")},
    ),
    (
        "format added",
        STR,
        {**STR, "format": "date"},
        {("FORMAT_ADDED", "/format")},
        set(),
    ),
    (
        "annotations changed",
        {**STR, "title": "Họ tên"},
        {**STR, "title": "Họ và tên", "description": "…"},
        set(),
        set(),
    ),
]

MODES = [CompatibilityMode.BACKWARD, CompatibilityMode.FORWARD, CompatibilityMode.FULL]


def found(changes: list[BreakingChange]) -> Found:
    return {(change.kind, change.pointer) for change in changes}


def expected(mode: CompatibilityMode, backward: Found, forward: Found) -> Found:
    return {
        CompatibilityMode.BACKWARD: backward,
        CompatibilityMode.FORWARD: forward,
        CompatibilityMode.FULL: backward | forward,
    }[mode]


class TestSchemaRules:
    @pytest.mark.parametrize("mode", MODES, ids=str)
    @pytest.mark.parametrize(
        ("rule", "old", "new", "backward", "forward"), RULES, ids=[row[0] for row in RULES]
    )
    def test_rule(
        self, rule: str, old: Any, new: Any, backward: Found, forward: Found, mode: CompatibilityMode
    ) -> None:
        assert found(check_schema(old, new, mode)) == expected(mode, backward, forward)

    @pytest.mark.parametrize(
        ("rule", "old", "new", "backward", "forward"), RULES, ids=[row[0] for row in RULES]
    )
    def test_transitive_modes_compare_one_pair_like_their_base(
        self, rule: str, old: Any, new: Any, backward: Found, forward: Found
    ) -> None:
        assert found(check_schema(old, new, CompatibilityMode.BACKWARD_TRANSITIVE)) == backward
        assert found(check_schema(old, new, CompatibilityMode.FORWARD_TRANSITIVE)) == forward

    def test_none_checks_nothing(self) -> None:
        assert check_schema(STR, INT, CompatibilityMode.NONE) == []


class TestMessages:
    def test_message_names_the_old_and_new_schema_for_the_direction_checked(self) -> None:
        (backward,) = check_schema(
            obj({"a": STR}), obj({"a": STR, "b": STR}, ("b",)), CompatibilityMode.BACKWARD
        )
        assert "the new schema requires 'b'" in backward.message
        assert "old schema" in backward.message
        (forward,) = check_schema(INT, {"type": "number"}, CompatibilityMode.FORWARD)
        assert "the old schema no longer accepts number" in forward.message


class TestNestedPointers:
    def test_points_into_nested_properties(self) -> None:
        person = obj({"citizen_id": {**STR, "maxLength": 12}})
        old = obj({"owner": person})
        new = obj({"owner": obj({"citizen_id": {**STR, "maxLength": 9}})})
        assert found(check_schema(old, new, CompatibilityMode.BACKWARD)) == {
            ("MAX_LENGTH_DECREASED", "/properties/owner/properties/citizen_id/maxLength")
        }

    def test_follows_local_refs_and_points_along_the_instance_path(self) -> None:
        def with_person(citizen_id: dict[str, Any]) -> dict[str, Any]:
            return {
                **obj({"owner": {"$ref": "#/$defs/person"}}),
                "$defs": {"person": obj({"citizen_id": citizen_id})},
            }

        changes = check_schema(with_person(STR), with_person(INT), CompatibilityMode.BACKWARD)
        assert found(changes) == {("TYPE_CHANGED", "/properties/owner/properties/citizen_id/type")}

    def test_escapes_property_names_in_pointers(self) -> None:
        changes = check_schema(obj({"a/b": STR}), obj({"a/b": INT}), CompatibilityMode.BACKWARD)
        assert found(changes) == {("TYPE_CHANGED", "/properties/a~1b/type")}

    def test_points_into_array_items(self) -> None:
        old = obj({"owners": {"type": "array", "items": obj({"share": {"type": "number"}})}})
        new = obj({"owners": {"type": "array", "items": obj({"share": INT})}})
        assert found(check_schema(old, new, CompatibilityMode.BACKWARD)) == {
            ("TYPE_NARROWED", "/properties/owners/items/properties/share/type")
        }

    def test_recursive_schemas_terminate(self) -> None:
        def tree(value: dict[str, Any]) -> dict[str, Any]:
            node = obj({"value": value, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}})
            return {"$ref": "#/$defs/node", "$defs": {"node": node}}

        assert check_schema(tree(STR), tree(STR), CompatibilityMode.FULL) == []
        assert found(check_schema(tree(STR), tree(INT), CompatibilityMode.BACKWARD)) == {
            ("TYPE_CHANGED", "/properties/value/type")
        }

    def test_all_of_members_are_read_as_one_schema(self) -> None:
        base = {"$defs": {"base": obj({"id": STR}, ("id",))}}
        old = {**base, "allOf": [{"$ref": "#/$defs/base"}, obj({"area": {"type": "number"}})]}
        new = {**base, "allOf": [{"$ref": "#/$defs/base"}, obj({"area": {"type": "number"}, "note": STR})]}
        assert found(check_schema(old, new, CompatibilityMode.BACKWARD)) == {
            ("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "/properties/note")
        }


def service(
    version: str, request: dict[str, Any], response: dict[str, Any], **extra: Any
) -> ContractDocument:
    return ContractDocument.model_validate(
        {
            "kind": "service",
            "code": "tra-cuu-thua-dat",
            "version": version,
            "provider": "H50.20",
            "database": "csdl-dat-dai",
            "title": "Tra cứu thông tin thửa đất",
            "request": request,
            "response": response,
            **extra,
        }
    )


REQUEST = obj({"parcel_id": STR}, ("parcel_id",), additional=False)
RESPONSE = obj({"parcel_id": STR, "area_m2": {"type": "number"}})


class TestServiceDirections:
    """A request is read by the provider, a response by consumers: their directions are opposite."""

    def test_backward_checks_requests_backward(self) -> None:
        new = service(
            "1.1.0", obj({"parcel_id": STR, "purpose": STR}, ("parcel_id", "purpose"), False), RESPONSE
        )
        (change,) = check_compatibility([service("1.0.0", REQUEST, RESPONSE)], new)
        assert (change.kind, change.part, change.against) == (
            "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
            "request",
            "1.0.0",
        )

    def test_backward_checks_responses_forward(self) -> None:
        # a new reply field an old consumer does not know is fine in an open response...
        wider = service("1.1.0", REQUEST, obj({"parcel_id": STR, "area_m2": {"type": "number"}, "note": STR}))
        assert check_compatibility([service("1.0.0", REQUEST, RESPONSE)], wider) == []
        # ...but a reply an old consumer cannot read is not, even though the new schema reads old replies
        integer_area = service("1.1.0", REQUEST, obj({"parcel_id": STR, "area_m2": {"type": "integer"}}))
        assert check_compatibility([service("1.0.0", REQUEST, RESPONSE)], integer_area) == []
        number_area = service("1.1.0", REQUEST, obj({"parcel_id": STR, "area_m2": {"type": "number"}}))
        old_integer = service("1.0.0", REQUEST, obj({"parcel_id": STR, "area_m2": {"type": "integer"}}))
        (change,) = check_compatibility([old_integer], number_area)
        assert (change.kind, change.part, change.pointer) == (
            "TYPE_NARROWED",
            "response",
            "/properties/area_m2/type",
        )

    def test_forward_swaps_the_directions(self) -> None:
        old = service("1.0.0", REQUEST, RESPONSE, compatibility="forward")
        optional_field = obj({"parcel_id": STR, "purpose": STR}, ("parcel_id",), False)
        (change,) = check_compatibility(
            [old], service("1.1.0", optional_field, RESPONSE, compatibility="forward")
        )
        assert (change.kind, change.part) == ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "request")

    def test_full_checks_both_directions_of_both_parts(self) -> None:
        old = service("1.0.0", REQUEST, RESPONSE, compatibility="full")
        new = service(
            "1.1.0",
            obj({"parcel_id": STR, "purpose": STR}, ("parcel_id",), False),
            obj({"parcel_id": STR, "area_m2": {"type": "number"}, "note": STR}),
            compatibility="full",
        )
        assert {(c.kind, c.part) for c in check_compatibility([old], new)} == {
            ("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "request"),
            ("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "response"),
        }

    def test_the_fixture_versions(self) -> None:
        v10, v11, v12 = (
            load_contract((FIXTURES / name).read_bytes())
            for name in (
                "tra-cuu-thua-dat-1.0.yaml",
                "tra-cuu-thua-dat-1.1.yaml",
                "tra-cuu-thua-dat-1.2-breaking.yaml",
            )
        )
        assert check_compatibility([v10], v11) == []
        assert {(c.kind, c.part, c.pointer) for c in check_compatibility([v10], v12)} == {
            ("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "request", "/properties/purpose"),
            ("TYPE_CHANGED", "response", "/properties/area_m2/type"),
        }


class TestTransitivity:
    # 1.0 had `note` open; 1.1 dropped it (fine backward); 1.2 declares `note` as an integer: fine against
    # 1.1, which says nothing about it, but 1.0 data may carry a string there.
    V10 = service("1.0.0", obj({"parcel_id": STR, "note": STR}), RESPONSE)
    V11 = service("1.1.0", obj({"parcel_id": STR}), RESPONSE)

    def v12(self, mode: str) -> ContractDocument:
        return service("1.2.0", obj({"parcel_id": STR, "note": INT}), RESPONSE, compatibility=mode)

    def test_non_transitive_checks_only_the_latest_previous_version(self) -> None:
        changes = check_compatibility([self.V10, self.V11], self.v12("backward"))
        assert {(c.kind, c.against) for c in changes} == {("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "1.1.0")}

    def test_transitive_checks_every_previous_version(self) -> None:
        changes = check_compatibility([self.V10, self.V11], self.v12("backward_transitive"))
        assert {(c.kind, c.against) for c in changes} == {
            ("TYPE_CHANGED", "1.0.0"),
            ("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "1.1.0"),
        }

    def test_none_checks_nothing(self) -> None:
        assert check_compatibility([self.V10, self.V11], self.v12("none")) == []

    def test_a_mode_argument_overrides_the_declared_rule(self) -> None:
        changes = check_compatibility([self.V10, self.V11], self.v12("none"), mode=CompatibilityMode.BACKWARD)
        assert changes

    def test_no_previous_version_is_always_compatible(self) -> None:
        assert check_compatibility([], self.v12("full_transitive")) == []


def dataset(version: str, record: dict[str, Any], mode: str = "backward") -> ContractDocument:
    return ContractDocument.model_validate(
        {
            "kind": "dataset",
            "code": "thua-dat",
            "version": version,
            "provider": "H50.20",
            "database": "csdl-dat-dai",
            "title": "Dữ liệu thửa đất",
            "record": record,
            "key": ["parcel_id"],
            "compatibility": mode,
        }
    )


class TestDatasets:
    def test_the_warehouse_must_read_old_records_under_backward(self) -> None:
        old = dataset("1.0.0", obj({"parcel_id": STR, "area_m2": {"type": "number"}}, ("parcel_id",)))
        new = dataset(
            "1.1.0", obj({"parcel_id": STR, "area_m2": {"type": "number", "maximum": 1e6}}, ("parcel_id",))
        )
        (change,) = check_compatibility([old], new)
        assert (change.kind, change.part, change.pointer) == (
            "MAXIMUM_ADDED",
            "record",
            "/properties/area_m2/maximum",
        )

    def test_the_upsert_key_cannot_change_within_a_major(self) -> None:
        record = obj({"parcel_id": STR, "commune_code": STR}, ("parcel_id", "commune_code"))
        old = dataset("1.0.0", record)
        new = ContractDocument.model_validate(
            old.model_dump() | {"version": "1.1.0", "key": ["commune_code", "parcel_id"]}
        )
        assert [(c.kind, c.pointer, c.against) for c in check_compatibility([old], new)] == [
            ("KEY_CHANGED", "/key", "1.0.0")
        ]

    def test_a_service_cannot_become_a_dataset(self) -> None:
        old = service("1.0.0", REQUEST, RESPONSE)
        new = dataset("1.1.0", obj({"parcel_id": STR}, ("parcel_id",)))
        assert [c.kind for c in check_compatibility([old], new)] == ["KIND_CHANGED"]

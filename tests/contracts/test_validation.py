from pathlib import Path
from typing import Any

import pytest

from contracts.document import ContractDocument
from contracts.loading import load_contract
from contracts.validation import MAX_VIOLATIONS, CompiledContract, Violation, compile_contract

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def land() -> CompiledContract:
    return compile_contract(load_contract((FIXTURES / "tra-cuu-thua-dat-1.0.yaml").read_bytes()))


@pytest.fixture(scope="module")
def parcels() -> CompiledContract:
    return compile_contract(load_contract((FIXTURES / "thua-dat-dataset.yaml").read_bytes()))


def reply(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "parcel_id": "19234-12-345",
        "area_m2": 312.5,
        "land_use": "ONT",
        "owner": {"full_name": "Nguyễn Văn An", "citizen_id": "045089001234"},
    }
    return body | changes


class TestValidInstances:
    def test_valid_request_and_reply_have_no_violations(self, land: CompiledContract) -> None:
        assert land.validate_request({"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}) == []
        assert land.validate_response(reply()) == []

    def test_examples_of_the_contract_are_valid(self, land: CompiledContract) -> None:
        for example in land.document.examples:
            assert land.validate("request", example.request) == []
            assert land.validate("response", example.response) == []


class TestViolationPointers:
    def test_root_violation_has_the_empty_pointer(self, land: CompiledContract) -> None:
        (violation,) = land.validate_request([1, 2])
        assert violation.pointer == ""

    def test_nested_violation_points_at_the_instance_location(self, land: CompiledContract) -> None:
        violations = land.validate_response(reply(owner={"full_name": "An", "citizen_id": "0450"}))
        assert [v.pointer for v in violations] == ["/owner/citizen_id"]
        assert "0450" in violations[0].message

    def test_missing_and_extra_properties(self, land: CompiledContract) -> None:
        violations = land.validate_request({"commune_code": "19234", "map_sheet": 1, "so_thua": 2})
        assert {v.pointer for v in violations} == {""}
        assert len(violations) == 2  # parcel_number missing, so_thua not allowed

    def test_pointer_segments_are_escaped(self, parcels: CompiledContract) -> None:
        record = {"parcel_id": "x", "commune_code": "19234", "area_m2": 1, "land_use": "ONT"}
        assert parcels.validate_record(record | {"updated_at": "hôm qua"})[0].pointer == "/updated_at"

    def test_every_violation_is_reported(self, land: CompiledContract) -> None:
        violations = land.validate_response(reply(area_m2=-1, land_use="XYZ"))
        assert {v.pointer for v in violations} == {"/area_m2", "/land_use"}


class TestLimits:
    def test_number_of_violations_is_capped(self) -> None:
        doc = ContractDocument.model_validate(
            {
                "kind": "dataset",
                "code": "the-tag",
                "version": "1.0.0",
                "provider": "H50.20",
                "database": "csdl-dat-dai",
                "title": "Thẻ",
                "key": ["id"],
                "record": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            }
        )
        compiled = CompiledContract(doc)
        violations = compiled.validate("record", {"id": "a", "tags": list(range(200))})
        assert len(violations) == MAX_VIOLATIONS
        assert violations[0].pointer == "/tags/0"
        assert len(compiled.validate("record", {"id": "a", "tags": list(range(200))}, limit=3)) == 3

    def test_long_messages_are_shortened(self, land: CompiledContract) -> None:
        (violation,) = land.validate_request("x" * 10_000)
        assert len(violation.message) <= 300

    def test_a_part_the_contract_lacks(self, land: CompiledContract) -> None:
        with pytest.raises(ValueError, match="no 'record' schema"):
            land.validate("record", {})


class TestViolation:
    def test_renders_as_a_problem_error(self) -> None:
        assert Violation("/a", "bad").as_error() == {"pointer": "/a", "message": "bad"}

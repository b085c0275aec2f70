"""The demo province and its contracts: the data `lgsp up --demo` seeds the registry with."""

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from datetime import date
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from pydantic import ValidationError

from contracts import addresses
from contracts.document import ContractDocument, Kind
from contracts.loading import load_contract
from registry.demo import (
    DEMO_DIR,
    DatabaseStatus,
    Province,
    Tier,
    contract_files,
    load_contracts,
    load_province,
)

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_FILES = contract_files()
SCHEMA_KEYWORDS = frozenset(
    {
        *("$schema", "title", "description", "type", "properties", "required", "additionalProperties"),
        *("pattern", "minimum", "maximum", "exclusiveMinimum", "format", "enum", "const"),
        *("items", "minItems", "maxItems", "oneOf", "anyOf", "allOf", "not", "if", "then", "else"),
        *("maxProperties", "minLength", "maxLength"),
    }
)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


@cache
def document(path: Path) -> ContractDocument:
    return ContractDocument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def subschemas(schema: Any, at: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside `schema`, with its JSON Pointer."""
    if not isinstance(schema, dict):
        return
    yield at, schema
    for name, sub in (schema.get("properties") or {}).items():
        yield from subschemas(sub, f"{at}/properties/{name}")
    for keyword in ("items", "not", "if", "then", "else", "additionalProperties"):
        yield from subschemas(schema.get(keyword), f"{at}/{keyword}")
    for keyword in ("oneOf", "anyOf", "allOf"):
        for index, sub in enumerate(schema.get(keyword) or []):
            yield from subschemas(sub, f"{at}/{keyword}/{index}")


def declares(schema: dict[str, Any], pointer: str) -> bool:
    node: Any = schema
    for segment in pointer.split("/")[1:]:
        if segment in (node.get("properties") or {}):
            node = node["properties"][segment]
        elif (segment == "*" or segment.isdigit()) and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return False
    return True


def json_values_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_values_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(json_values_only(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


@pytest.fixture(scope="module")
def province() -> Province:
    return load_province()


class TestProvince:
    def test_is_quang_tri_with_its_departments(self, province: Province) -> None:
        quang_tri = province.agency("H50")
        assert (quang_tri.name, quang_tri.tier) == ("Ủy ban nhân dân tỉnh Quảng Trị", Tier.PROVINCE)
        assert len(province.departments) >= 18
        assert {a.tier for a in province.departments} == {Tier.DEPARTMENT}
        names = {a.name for a in province.departments}
        assert {
            "Sở Tài nguyên và Môi trường",
            "Sở Tư pháp",
            "Sở Y tế",
            "Công an tỉnh",
            "Thanh tra tỉnh",
        } <= names

    def test_agency_codes_are_unique_decision_20_codes_under_the_province(self, province: Province) -> None:
        codes = [a.code for a in province.agencies]
        assert len(codes) == len(set(codes))
        assert all(addresses.is_agency_code(code) for code in codes)
        assert all(addresses.parent_agency_code(a.code) == "H50" for a in province.departments)

    def test_national_agencies_stand_apart(self, province: Province) -> None:
        national = [a for a in province.agencies if a.tier is Tier.NATIONAL]
        assert national, "one national agency for federation"
        assert all(a.parent is None and a.note for a in national)

    def test_has_thirty_databases_with_valid_unique_codes(self, province: Province) -> None:
        keys = [(d.agency, d.code) for d in province.databases]
        assert len(keys) >= 30
        assert len(keys) == len(set(keys))
        assert all(addresses.is_code(d.code) for d in province.databases)

    def test_most_databases_are_active_and_some_not_yet_built(self, province: Province) -> None:
        statuses = [d.status for d in province.databases]
        assert statuses.count(DatabaseStatus.ACTIVE) > len(statuses) / 2
        assert statuses.count(DatabaseStatus.PLANNED) >= 3
        assert statuses.count(DatabaseStatus.RETIRED) >= 1

    def test_every_entry_cites_a_known_document(self, province: Province) -> None:
        known = {s.id for s in province.sources}
        entries = (*province.agencies, *province.databases, *province.reorganisation)
        cited = [province.target.source] + [e.source for e in entries]
        assert {c.document for c in cited} <= known
        assert all(c.part for c in cited)

    def test_target_is_sixty_percent_of_departments_by_2025(self, province: Province) -> None:
        target = province.target
        assert (target.province, target.agency_coverage, target.year) == ("H50", 0.6, 2025)
        assert "II.1.1" in target.source.part
        assert "60%" in target.statement

    def test_vietnamese_text_is_composed_unicode(self) -> None:
        raw = yaml.safe_load((DEMO_DIR / "province.yaml").read_text(encoding="utf-8"))
        strings = list(texts(raw))
        assert all(unicodedata.is_normalized("NFC", s) for s in strings)
        assert "Sở Giáo dục và Đào tạo" in strings


class TestProvinceChecks:
    @pytest.fixture
    def raw(self) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load((DEMO_DIR / "province.yaml").read_text(encoding="utf-8"))
        return data

    def test_refuses_a_database_of_an_unknown_agency(self, raw: dict[str, Any]) -> None:
        raw["databases"][0]["agency"] = "H50.99"
        with pytest.raises(ValidationError, match=r"no agency H50\.99"):
            Province.model_validate(raw)

    def test_refuses_a_repeated_agency(self, raw: dict[str, Any]) -> None:
        raw["agencies"].append(raw["agencies"][1])
        with pytest.raises(ValidationError, match="appears more than once"):
            Province.model_validate(raw)

    def test_refuses_a_citation_of_an_unknown_document(self, raw: dict[str, Any]) -> None:
        raw["databases"][0]["source"]["document"] = "qd-0000-2020"
        with pytest.raises(ValidationError, match="unknown source 'qd-0000-2020'"):
            Province.model_validate(raw)

    def test_refuses_a_department_whose_code_does_not_extend_its_parent(self, raw: dict[str, Any]) -> None:
        raw["agencies"][1]["code"] = "H51.01"
        with pytest.raises(ValidationError, match="does not extend its parent"):
            Province.model_validate(raw)

    def test_refuses_a_merger_of_an_unknown_or_already_merged_agency(self, raw: dict[str, Any]) -> None:
        raw["reorganisation"][0]["into"] = "H50.99"
        raw["reorganisation"][1]["merge"] = raw["reorganisation"][0]["merge"]
        with pytest.raises(ValidationError) as refused:
            Province.model_validate(raw)
        assert "H50.99 is not an agency of the file" in str(refused.value)
        assert "H50.07 was merged before" in str(refused.value)


class TestReorganisation:
    def test_decree_45_merges_five_departments_on_1_march_2025(self, province: Province) -> None:
        march = [step for step in province.reorganisation if step.at == date(2025, 3, 1)]
        steps = {code: step.into for step in march for code in step.merge if code.startswith("H50.")}
        assert steps == {"H50.04": "H50.05", "H50.07": "H50.20", "H50.08": "H50.09", "H50.10": "H50.13",
                         "H50.11": "H50.02"}  # fmt: skip
        assert {step.at for step in province.reorganisation} == {date(2025, 3, 1), date(2025, 7, 1)}
        assert province.since < date(2025, 3, 1)

    def test_quang_binh_merges_into_the_province_on_1_july_2025(self, province: Province) -> None:
        july = [step for step in province.reorganisation if step.at == date(2025, 7, 1)]
        steps = {code: step.into for step in july for code in step.merge}
        assert steps == {"H47.03": "H50.03", "H47.05": "H50.05", "H47.14": "H50.14", "H47.15": "H50.15",
                         "H47.20": "H50.20", "H47": "H50"}  # fmt: skip
        quang_binh = {a.code for a in province.agencies if a.code.startswith("H47")}
        assert {province.successor(code) for code in quang_binh} <= {a.code for a in province.agencies}
        assert all(province.successor(code).startswith("H50") for code in quang_binh)

    def test_today_the_departments_have_the_merged_names(self, province: Province) -> None:
        names = {a.code: a.name for a in province.current_departments}
        assert names["H50.20"] == "Sở Nông nghiệp và Môi trường"
        assert not {"H50.04", "H50.07", "H50.08", "H50.10", "H50.11"} & names.keys()
        assert len(names) == len(province.departments) - 5


class TestContractSet:
    def test_has_seven_services_over_six_databases(self) -> None:
        services = [d for d in load_contracts() if d.kind is Kind.SERVICE]
        assert len({d.address for d in services}) >= 7
        assert len({(d.provider, d.database) for d in services}) >= 6

    def test_has_thirteen_datasets_over_thirteen_databases(self) -> None:
        datasets = [d for d in load_contracts() if d.kind is Kind.DATASET]
        assert len({d.address for d in datasets}) >= 13
        assert len({(d.provider, d.database) for d in datasets}) >= 13

    def test_enough_departments_can_share_to_reach_the_coverage_target(self, province: Province) -> None:
        """The dashboard's agency coverage (today's departments) can reach the plan's 60% when every dataset is
        shared."""
        departments = {a.code for a in province.current_departments}
        sharing = {d.provider for d in load_contracts() if d.kind is Kind.DATASET} & departments
        assert len(sharing) / len(departments) >= province.target.agency_coverage

    def test_addresses_and_versions_are_unique(self) -> None:
        versions = [(str(d.address), d.version) for d in load_contracts()]
        assert len(versions) == len(set(versions))


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.stem)
class TestContract:
    def test_file_name_says_provider_code_and_version(self, path: Path) -> None:
        doc = document(path)
        assert path.name == f"{doc.provider}--{doc.code}--{doc.version}.yaml"

    def test_passes_every_check_of_the_contract_toolkit(self, path: Path) -> None:
        # schemas against the metaschema, examples against the schemas, sensitive pointers, the dataset key
        assert load_contract(path.read_bytes()) == document(path)

    def test_provider_owns_an_active_database(self, path: Path, province: Province) -> None:
        doc = document(path)
        database = province.database_today(doc.provider, doc.database)
        assert database is not None, f"{doc.provider} has no database {doc.database}"
        assert database.status is DatabaseStatus.ACTIVE

    def test_yaml_holds_json_values_only(self, path: Path) -> None:
        # an unquoted 2024-05-01 would load as a date, which is not JSON
        assert json_values_only(yaml.safe_load(path.read_text(encoding="utf-8")))

    def test_schemas_use_known_keywords_and_snake_case_properties(self, path: Path) -> None:
        # an unquoted comma in a YAML flow mapping turns description text into stray keywords
        for part, schema in document(path).schemas().items():
            for at, node in subschemas(schema):
                assert set(node) <= SCHEMA_KEYWORDS, f"/{part}{at}: {set(node) - SCHEMA_KEYWORDS}"
                assert all(SNAKE_CASE.match(name) for name in node.get("properties") or {}), f"/{part}{at}"
                assert all(unicodedata.is_normalized("NFC", text) for text in texts(node))

    def test_every_example_validates_against_its_schemas(self, path: Path) -> None:
        doc = document(path)
        assert len(doc.examples) >= 1
        for part, schema in doc.schemas().items():
            compiled = validator(schema)
            for example in doc.examples:
                errors = [
                    f"{e.instance_path}: {e.message}" for e in compiled.iter_errors(getattr(example, part))
                ]
                assert not errors, f"{example.name} {part}: {errors}"

    def test_sensitive_pointers_name_schema_properties(self, path: Path) -> None:
        doc = document(path)
        for pointer in doc.sensitive:
            assert any(declares(schema, pointer) for schema in doc.schemas().values()), pointer

    def test_personal_contracts_mask_citizen_ids(self, path: Path) -> None:
        doc = document(path)
        id_fields = [
            f"{at}/{name}".replace("/properties", "")
            for schema in doc.schemas().values()
            for at, node in subschemas(schema)
            for name in node.get("properties") or {}
            if name == "citizen_id"
        ]
        assert set(id_fields) <= set(doc.sensitive)


@pytest.mark.parametrize(
    "path", [p for p in CONTRACT_FILES if document(p).kind is Kind.SERVICE], ids=lambda p: p.stem
)
class TestServiceContract:
    def test_request_objects_are_closed(self, path: Path) -> None:
        request = document(path).request
        assert request is not None
        assert request["type"] == "object"
        assert request["additionalProperties"] is False

    def test_examples_include_a_not_found_answer(self, path: Path) -> None:
        responses = [e.response for e in document(path).examples]
        assert 2 <= len(responses) <= 3
        assert {"found": False} in responses
        assert any(r.get("found") for r in responses)

    def test_response_schema_refuses_not_found_with_data(self, path: Path) -> None:
        doc = document(path)
        assert doc.response is not None
        found = next(e.response for e in doc.examples if e.response["found"])
        assert not validator(doc.response).is_valid({**found, "found": False})


@pytest.mark.parametrize(
    "path", [p for p in CONTRACT_FILES if document(p).kind is Kind.DATASET], ids=lambda p: p.stem
)
class TestDatasetContract:
    def test_records_are_closed_and_require_their_key(self, path: Path) -> None:
        doc = document(path)
        assert doc.record is not None
        assert doc.record["additionalProperties"] is False
        assert set(doc.key) <= set(doc.record["required"])


class TestVersioning:
    """tra-cuu-doanh-nghiep 1.1.0 adds an optional response field, backward compatible (DESIGN.md §7a)."""

    @pytest.fixture
    def versions(self) -> tuple[ContractDocument, ContractDocument]:
        docs = {d.version: d for d in load_contracts() if d.code == "tra-cuu-doanh-nghiep"}
        return docs["1.0.0"], docs["1.1.0"]

    def test_one_service_has_two_minor_versions_of_one_major(
        self, versions: tuple[ContractDocument, ContractDocument]
    ) -> None:
        old, new = versions
        assert old.address == new.address
        assert new.compatibility.value == "backward"

    def test_new_version_accepts_every_old_request(
        self, versions: tuple[ContractDocument, ContractDocument]
    ) -> None:
        old, new = versions
        assert new.request is not None
        assert all(validator(new.request).is_valid(e.request) for e in old.examples)

    def test_old_consumers_read_every_new_response(
        self, versions: tuple[ContractDocument, ContractDocument]
    ) -> None:
        old, new = versions
        assert old.response is not None
        assert new.response is not None
        added = set(new.response["properties"]) - set(old.response["properties"])
        assert added == {"nganh_nghe_chinh"}
        assert "nganh_nghe_chinh" not in new.response["then"]["required"]
        assert any("nganh_nghe_chinh" in e.response for e in new.examples)
        assert all(validator(old.response).is_valid(e.response) for e in new.examples)


class TestPackaging:
    def test_demo_files_are_package_data(self) -> None:
        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
        includes = config["packages"]["find"]["include"]
        patterns = config["package-data"]["*"]
        files = [DEMO_DIR / "province.yaml", *CONTRACT_FILES]
        for file in files:
            package = ".".join(file.parent.relative_to(ROOT).parts)
            assert any(fnmatch(package, include) for include in includes), package
            assert any(fnmatch(file.name, pattern) for pattern in patterns), file.name
        # packages.find in pyproject.toml finds namespace packages (directories without __init__.py) by default
        assert config["packages"]["find"].get("namespaces", True)

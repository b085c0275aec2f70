"""What the document model cannot check: sound schemas, valid examples, sensitive pointers, dataset keys."""

import contextlib
from functools import cache
from typing import Any

import jsonschema_rs

from contracts import pointers, subschemas
from contracts.document import ContractDocument, JsonSchema, Kind
from contracts.validation import MAX_VIOLATIONS, compile_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
Issue = dict[str, str]


def _issue(pointer: str, message: str) -> Issue:
    return {"pointer": pointer, "message": message}


@cache
def _metaschema() -> jsonschema_rs.Validator:
    # the 2020-12 metaschemas ship inside jsonschema-rs: nothing is fetched
    return jsonschema_rs.Draft202012Validator({"$ref": DIALECT})


def check_document(doc: ContractDocument) -> list[Issue]:
    """Every problem of `doc` that its model does not catch, each with a JSON Pointer into the document."""
    issues: list[Issue] = []
    validators: dict[str, jsonschema_rs.Validator] = {}
    for part, schema in doc.schemas().items():
        schema_issues = schema_problems(schema, f"/{part}")
        if not schema_issues:
            try:
                validators[part] = compile_schema(schema)
            except jsonschema_rs.ValidationError as error:
                where = f"/{part}{pointers.from_path(error.instance_path)}"
                schema_issues.append(_issue(where, f"the schema does not compile: {error.message}"))
            except ValueError as error:
                schema_issues.append(_issue(f"/{part}", f"the schema does not compile: {error}"))
        issues += schema_issues
    schemas_sound = not issues
    issues += _check_examples(doc, validators)
    if schemas_sound:  # a pointer cannot be judged against a broken schema
        issues += _check_sensitive(doc)
    if doc.kind is Kind.DATASET and doc.record is not None:
        issues += _check_key(doc.key, doc.record)
    return issues


def schema_problems(schema: JsonSchema, at: str = "") -> list[Issue]:
    """A well-formed, self-contained JSON Schema 2020-12: metaschema-valid, only local `$ref`s."""
    issues = [
        _issue(at + pointers.from_path(error.instance_path), error.message)
        for _, error in zip(range(MAX_VIOLATIONS), _metaschema().iter_errors(schema), strict=False)
    ]
    for here, node in subschemas.walk(schema):
        if not isinstance(node, dict):
            continue
        dialect = node.get("$schema")
        if dialect is not None and dialect not in (DIALECT, DIALECT + "#"):
            issues.append(_issue(f"{at}{here}/$schema", f"only JSON Schema 2020-12 ({DIALECT}) is accepted"))
        if here and "$id" in node:
            issues.append(
                _issue(f"{at}{here}/$id", "embedded schema resources ($id below the root) are refused")
            )
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            if not ref.startswith("#"):
                issues.append(
                    _issue(
                        f"{at}{here}/{keyword}",
                        f"'{ref}' is not a local reference: schemas are never fetched",
                    )
                )
            elif ref == "#" or ref.startswith("#/"):
                try:
                    subschemas.resolve_local_ref(schema, ref)
                except KeyError:
                    issues.append(_issue(f"{at}{here}/{keyword}", f"'{ref}' names nothing in this schema"))
    return issues


def _check_examples(doc: ContractDocument, validators: dict[str, jsonschema_rs.Validator]) -> list[Issue]:
    issues = []
    wanted = ("request", "response") if doc.kind is Kind.SERVICE else ("record",)
    unwanted = ("record",) if doc.kind is Kind.SERVICE else ("request", "response")
    first_seen: dict[str, int] = {}
    for index, example in enumerate(doc.examples):
        at = f"/examples/{index}"
        if example.name in first_seen:
            issues.append(
                _issue(
                    f"{at}/name",
                    f"'{example.name}' is already the name of /examples/{first_seen[example.name]}",
                )
            )
        first_seen.setdefault(example.name, index)
        given = example.model_fields_set
        issues += [_issue(at, f"a {doc.kind} example needs '{part}'") for part in wanted if part not in given]
        issues += [
            _issue(f"{at}/{part}", f"a {doc.kind} example has no '{part}'")
            for part in unwanted
            if part in given
        ]
        for part in wanted:
            validator = validators.get(part)
            if part not in given or validator is None:
                continue
            instance = getattr(example, part)
            if validator.is_valid(instance):
                continue
            issues += [
                _issue(f"{at}/{part}{pointers.from_path(error.instance_path)}", error.message)
                for _, error in zip(range(MAX_VIOLATIONS), validator.iter_errors(instance), strict=False)
            ]
    return issues


def _check_sensitive(doc: ContractDocument) -> list[Issue]:
    schemas = doc.schemas()
    where = " or ".join(schemas)
    issues = []
    for index, pointer in enumerate(doc.sensitive):
        segments = pointers.split(pointer)
        if not any(schema_declares(schema, segments) for schema in schemas.values()):
            issues.append(_issue(f"/sensitive/{index}", f"'{pointer}' names no field of the {where} schema"))
    return issues


def schema_declares(root: JsonSchema, segments: list[str]) -> bool:
    """Whether an instance path (`*` or an index for array items) is declared by `root`'s properties."""

    def declares(node: Any, rest: list[str], refs_seen: frozenset[tuple[str, int]]) -> bool:
        if not isinstance(node, dict):
            return False
        ref = node.get("$ref")
        if isinstance(ref, str) and (ref, len(rest)) not in refs_seen:
            try:
                target = subschemas.resolve_local_ref(root, ref)
            except KeyError:
                target = None
            if declares(target, rest, refs_seen | {(ref, len(rest))}):
                return True
        if not rest:
            return True
        head, tail = rest[0], rest[1:]
        if any(
            declares(branch, rest, refs_seen)
            for key in ("allOf", "anyOf", "oneOf")
            for branch in node.get(key, [])
        ):
            return True
        properties = node.get("properties")
        if (
            isinstance(properties, dict)
            and head in properties
            and declares(properties[head], tail, refs_seen)
        ):
            return True
        if head == "*" or head.isdigit():
            prefix = node.get("prefixItems") or []
            positions = prefix if head == "*" else prefix[int(head) : int(head) + 1]
            if any(declares(item, tail, refs_seen) for item in positions):
                return True
            if declares(node.get("items"), tail, refs_seen):
                return True
        return False

    return declares(root, segments, frozenset())


def _check_key(key: list[str], record: JsonSchema) -> list[Issue]:
    if isinstance(record.get("$ref"), str):
        with contextlib.suppress(KeyError):
            record = {**subschemas.resolve_local_ref(record, record["$ref"]), **record}
    properties = record.get("properties") or {}
    required = set(record.get("required") or [])
    issues = []
    for index, field in enumerate(key):
        if key.index(field) != index:
            issues.append(_issue(f"/key/{index}", f"'{field}' is already in the key"))
        elif field not in properties:
            issues.append(_issue(f"/key/{index}", f"'{field}' is not a property of the record schema"))
        elif field not in required:
            issues.append(
                _issue(f"/key/{index}", f"'{field}' is part of the key, so the record schema must require it")
            )
    return issues

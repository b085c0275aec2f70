"""Keyword-level differences between a writer schema and a reader schema: types, values, bounds, formats and
`not`/`if`. `schema_diff` resolves `$ref`/`allOf`/`oneOf`/`anyOf` and calls these on each pair of plain schemas."""

from fractions import Fraction
from typing import Any, Protocol

import orjson

# keywords that describe but never reject: a schema made only of these accepts every value
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$comment",
        "$defs",
        "definitions",
        "$vocabulary",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)
# keyword → kind prefix; whether `_INCREASED` or `_DECREASED` breaks is in schema_diff.COMPATIBLE_KINDS
BOUNDS = {
    "maxLength": "MAX_LENGTH",
    "minLength": "MIN_LENGTH",
    "maximum": "MAXIMUM",
    "minimum": "MINIMUM",
    "exclusiveMaximum": "EXCLUSIVE_MAXIMUM",
    "exclusiveMinimum": "EXCLUSIVE_MINIMUM",
    "maxItems": "MAX_ITEMS",
    "minItems": "MIN_ITEMS",
    "maxProperties": "MAX_PROPERTIES",
    "minProperties": "MIN_PROPERTIES",
    "maxContains": "MAX_CONTAINS",
    "minContains": "MIN_CONTAINS",
}
NEUTRAL_ZERO = frozenset({"minLength", "minItems", "minProperties"})  # a lower bound of 0 says nothing


class Comparer(Protocol):
    """What keyword comparison needs from the schema walk in `schema_diff`."""

    def add(self, kind: str, pointer: str, message: str) -> None: ...
    def compare(self, writer: Any, reader: Any, at: str, depth: int) -> None: ...
    def trial(
        self, writer: Any, reader: Any, at: str, depth: int, *, swapped: bool = False
    ) -> tuple[bool, str]: ...


def is_empty(schema: Any) -> bool:
    """Accepts every value: `true`, `{}` or only annotations."""
    return schema is True or (isinstance(schema, dict) and all(key in ANNOTATIONS for key in schema))


def canonical(value: Any) -> bytes:
    """A JSON value's identity as JSON Schema compares values (1 == 1.0, key order ignored)."""

    def normal(item: Any) -> Any:
        if isinstance(item, float) and item.is_integer():
            return int(item)
        if isinstance(item, dict):
            return {key: normal(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [normal(inner) for inner in item]
        return item

    return orjson.dumps(normal(value), option=orjson.OPT_SORT_KEYS)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "object")


def _values(schema: dict[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return enum if isinstance(enum, list) else None


def _types(schema: dict[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    values = _values(schema)
    return None if values is None else {_json_type(value) for value in values}


def as_dict(schema: dict[str, Any], keyword: str) -> dict[str, Any]:
    value = schema.get(keyword)
    return value if isinstance(value, dict) else {}


def as_list(schema: dict[str, Any], keyword: str) -> list[Any]:
    value = schema.get(keyword)
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def compare_type(diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str) -> bool:
    writer_types, reader_types = _types(writer), _types(reader)
    where = f"{at}/type"
    if reader_types is None:
        if writer_types is not None and "type" in writer:
            diff.add("TYPE_EXTENDED", where, "the {reader} schema accepts any type")
        return True
    if writer_types is None:
        diff.add(
            "TYPE_NARROWED",
            where,
            f"the {{writer}} schema allows any type, the {{reader}} schema only {_names(reader_types)}",
        )
        return True
    lost = {
        name
        for name in writer_types
        if not (name in reader_types or (name == "integer" and "number" in reader_types))
    }
    # number → integer loses only the fractions
    partly = {name for name in lost if name == "number" and "integer" in reader_types}
    if lost and lost - partly == writer_types:
        diff.add(
            "TYPE_CHANGED",
            where,
            f"the {{reader}} schema expects {_names(reader_types)} where the {{writer}} schema allows {_names(writer_types)}",
        )
        return False
    if lost:
        diff.add("TYPE_NARROWED", where, f"the {{reader}} schema no longer accepts {_names(lost)}")
    elif reader_types != writer_types and "type" in reader:
        diff.add(
            "TYPE_EXTENDED",
            where,
            f"the {{reader}} schema accepts {_names(reader_types)} where the {{writer}} schema allows {_names(writer_types)}",
        )
    return True


def _names(types: set[str]) -> str:
    return " or ".join(sorted(types))


def compare_values(diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str) -> None:
    writer_values, reader_values = _values(writer), _values(reader)
    where = (
        f"{at}/{'const' if 'const' in reader or ('const' in writer and reader_values is None) else 'enum'}"
    )
    if reader_values is None:
        if writer_values is not None:
            diff.add("ENUM_REMOVED", where, "the {reader} schema no longer limits the values")
        return
    if writer_values is None:
        diff.add(
            "ENUM_ADDED",
            where,
            "the {reader} schema limits the values to a list the {writer} schema does not",
        )
        return
    old, new = {canonical(v) for v in writer_values}, {canonical(v) for v in reader_values}
    if old == new:
        return
    if old <= new:
        diff.add("ENUM_ARRAY_EXTENDED", where, "the {reader} schema accepts more values")
    elif new <= old:
        gone = ", ".join(sorted(v.decode() for v in old - new))
        diff.add("ENUM_ARRAY_NARROWED", where, f"the {{reader}} schema no longer accepts {gone}")
    else:
        gone = ", ".join(sorted(v.decode() for v in old - new))
        diff.add("ENUM_ARRAY_CHANGED", where, f"the {{reader}} schema no longer accepts {gone}")


def compare_bounds(diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str) -> None:
    for keyword, prefix in BOUNDS.items():
        old, new = _number(writer.get(keyword)), _number(reader.get(keyword))
        if keyword in NEUTRAL_ZERO:
            old, new = old or None, new or None
        if old == new:
            continue
        where = f"{at}/{keyword}"
        if new is None:
            diff.add(f"{prefix}_REMOVED", where, f"the {{reader}} schema drops {keyword} {old}")
        elif old is None:
            diff.add(f"{prefix}_ADDED", where, f"the {{reader}} schema adds {keyword} {new}")
        else:
            direction = "INCREASED" if new > old else "DECREASED"
            diff.add(
                f"{prefix}_{direction}",
                where,
                f"{keyword} is {old} in the {{writer}} schema, {new} in the {{reader}} schema",
            )
    _compare_multiple_of(diff, writer, reader, at)


def _compare_multiple_of(diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str) -> None:
    old, new = _number(writer.get("multipleOf")), _number(reader.get("multipleOf"))
    if old == new:
        return
    where = f"{at}/multipleOf"
    if new is None:
        diff.add("MULTIPLE_OF_REMOVED", where, "the {reader} schema drops multipleOf")
    elif old is None:
        diff.add("MULTIPLE_OF_ADDED", where, f"the {{reader}} schema adds multipleOf {new}")
    elif (Fraction(str(old)) / Fraction(str(new))).denominator == 1:
        diff.add(
            "MULTIPLE_OF_REDUCED",
            where,
            f"multipleOf is {old} in the {{writer}} schema, {new} (a divisor) in the {{reader}} schema",
        )
    else:
        diff.add(
            "MULTIPLE_OF_CHANGED",
            where,
            f"multipleOf is {old} in the {{writer}} schema, {new} in the {{reader}} schema",
        )


def compare_exact(diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str) -> None:
    for keyword, prefix in (("pattern", "PATTERN"), ("format", "FORMAT")):
        old, new = writer.get(keyword), reader.get(keyword)
        if old == new:
            continue
        where = f"{at}/{keyword}"
        if new is None:
            diff.add(f"{prefix}_REMOVED", where, f"the {{reader}} schema drops {keyword} {old!r}")
        elif old is None:
            diff.add(f"{prefix}_ADDED", where, f"the {{reader}} schema adds {keyword} {new!r}")
        else:
            diff.add(
                f"{prefix}_CHANGED",
                where,
                f"{keyword} is {old!r} in the {{writer}} schema, {new!r} in the {{reader}} schema",
            )
    if bool(writer.get("uniqueItems")) != bool(reader.get("uniqueItems")):
        kind = "UNIQUE_ITEMS_ADDED" if reader.get("uniqueItems") else "UNIQUE_ITEMS_REMOVED"
        diff.add(
            kind,
            f"{at}/uniqueItems",
            f"the {{reader}} schema {'asks for' if reader.get('uniqueItems') else 'drops'} uniqueItems",
        )


def compare_logic(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str, depth: int
) -> None:
    if "not" in reader:
        if "not" not in writer:
            diff.add("NOT_ADDED", f"{at}/not", "the {reader} schema now excludes values with not")
        else:
            # the reader's `not` must exclude nothing the writer's `not` lets through: compare them swapped
            covered, reasons = diff.trial(reader["not"], writer["not"], f"{at}/not", depth + 1, swapped=True)
            if not covered:
                diff.add(
                    "NOT_TYPE_EXTENDED", f"{at}/not", f"the {{reader}} schema's not excludes more ({reasons})"
                )
    elif "not" in writer:
        diff.add("NOT_REMOVED", f"{at}/not", "the {reader} schema drops not")
    conditional = ("if", "then", "else")
    old = {key: canonical(writer[key]) for key in conditional if key in writer}
    new = {key: canonical(reader[key]) for key in conditional if key in reader}
    if new and old != new:
        diff.add(
            "CONDITIONAL_CHANGED",
            f"{at}/if",
            "if/then/else changed: only an unchanged conditional is accepted",
        )
    elif old and not new:
        diff.add("CONDITIONAL_REMOVED", f"{at}/if", "the {reader} schema drops if/then/else")

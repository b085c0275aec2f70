"""Differences in content models: an object's properties (open, closed or partially open to additional
properties) and an array's positions (`prefixItems` with `items` as the rest), as Confluent's SchemaDiff names them."""

import re
from typing import Any

from contracts import pointers
from contracts.keyword_diff import Comparer, as_dict, as_list, is_empty


def _fallback(schema: dict[str, Any], name: str) -> Any:
    """The schema an undeclared property `name` meets: a matching pattern, else additional/unevaluated."""
    patterns = schema.get("patternProperties")
    if isinstance(patterns, dict):
        for pattern, subschema in patterns.items():
            try:
                if re.search(pattern, name):
                    return subschema
            except re.error:
                continue
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if keyword in schema:
            return schema[keyword]
    return True


def has_default(schema: Any) -> bool:
    return isinstance(schema, dict) and "default" in schema


def compare_objects(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str, depth: int
) -> None:
    old_properties = as_dict(writer, "properties")
    new_properties = as_dict(reader, "properties")
    old_required = set(as_list(writer, "required"))
    new_required = set(as_list(reader, "required"))
    for name in dict.fromkeys([*old_properties, *new_properties]):
        where = f"{at}/properties/{pointers.escape(name)}"
        if name in old_properties and name in new_properties:
            diff.compare(old_properties[name], new_properties[name], where, depth + 1)
        elif name in old_properties:
            _property_removed(diff, old_properties[name], _fallback(reader, name), name, where, depth)
        else:
            must_appear = name in new_required and name not in old_required
            _property_added(
                diff, _fallback(writer, name), new_properties[name], must_appear, name, where, depth
            )
    for name in sorted(new_required - old_required):
        if name in new_properties and name not in old_properties:
            continue  # judged as an added property above
        where = f"{at}/properties/{pointers.escape(name)}" if name in new_properties else f"{at}/required"
        if has_default(new_properties.get(name)):
            diff.add(
                "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
                where,
                f"the {{reader}} schema requires '{name}' (with a default); the {{writer}} schema does not",
            )
        else:
            diff.add(
                "REQUIRED_ATTRIBUTE_ADDED",
                where,
                f"the {{reader}} schema requires '{name}'; the {{writer}} schema does not, so its data may lack it",
            )
    for name in sorted(old_required - new_required):
        where = f"{at}/properties/{pointers.escape(name)}" if name in old_properties else f"{at}/required"
        diff.add(
            "REQUIRED_ATTRIBUTE_REMOVED",
            where,
            f"the {{reader}} schema does not require '{name}'; the {{writer}} schema does",
        )
    for keyword, prefix in (
        ("additionalProperties", "ADDITIONAL_PROPERTIES"),
        ("unevaluatedProperties", "UNEVALUATED_PROPERTIES"),
    ):
        _compare_rest(diff, writer, reader, keyword, prefix, at, depth)
    _compare_patterns(diff, writer, reader, at, depth)
    _compare_dependent_required(diff, writer, reader, at)
    if "propertyNames" in reader:
        diff.compare(
            writer.get("propertyNames", True), reader["propertyNames"], f"{at}/propertyNames", depth + 1
        )


def _property_removed(diff: Comparer, old: Any, fallback: Any, name: str, where: str, depth: int) -> None:
    if is_empty(fallback):
        diff.add(
            "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema leaves '{name}' to its open object",
        )
    elif fallback is False:
        if old is False:
            diff.add(
                "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                where,
                f"the {{reader}} schema drops '{name}', which the {{writer}} schema forbade",
            )
        else:
            diff.add(
                "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                where,
                f"the {{reader}} schema's object is closed and lacks '{name}': {{writer}} data holding it is refused",
            )
    else:
        covered, reasons = diff.trial(old, fallback, where, depth + 1)
        if covered:
            diff.add(
                "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema reads '{name}' as an additional property",
            )
        else:
            diff.add(
                "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema lacks '{name}' and its additional-property schema does not read it ({reasons})",
            )


def _property_added(
    diff: Comparer, fallback: Any, new: Any, must_appear: bool, name: str, where: str, depth: int
) -> None:
    if is_empty(fallback):
        if must_appear and not has_default(new):
            diff.add(
                "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema requires '{name}' (no default), which the {{writer}} schema does not declare: its data may lack it",
            )
        elif is_empty(new):
            diff.add(
                "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema declares '{name}' accepting anything",
            )
        else:
            diff.add(
                "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema declares '{name}' with a schema; the {{writer}} schema's object is open and "
                f"does not declare it, so its data may hold any value under '{name}'",
            )
        return
    if fallback is not False:
        covered, reasons = diff.trial(fallback, new, where, depth + 1)
        if covered:
            diff.add(
                "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                where,
                f"the {{writer}} schema's additional properties fit the {{reader}} schema's '{name}'",
            )
        else:
            diff.add(
                "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema's '{name}' does not read what the {{writer}} schema's additional properties allow "
                f"({reasons})",
            )
    if not must_appear:
        diff.add(
            "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema declares optional '{name}'",
        )
    elif has_default(new):
        diff.add(
            "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema declares required '{name}' with a default",
        )
    else:
        diff.add(
            "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema requires '{name}' (no default), which the {{writer}} schema does not declare: its data may lack it",
        )


def _compare_rest(
    diff: Comparer,
    writer: dict[str, Any],
    reader: dict[str, Any],
    keyword: str,
    prefix: str,
    at: str,
    depth: int,
) -> None:
    old, new = writer.get(keyword, True), reader.get(keyword, True)
    where = f"{at}/{keyword}"
    if (old is False) != (new is False):
        if new is False:
            diff.add(
                f"{prefix}_CLOSED",
                where,
                "the {reader} schema closes the object: extra properties are refused",
            )
        else:
            diff.add(f"{prefix}_OPENED", where, "the {reader} schema opens the object")
    elif is_empty(old) and not is_empty(new):
        diff.add(
            f"{prefix}_NARROWED",
            where,
            "the {reader} schema constrains extra properties the {writer} left open",
        )
    elif not is_empty(old) and is_empty(new):
        diff.add(f"{prefix}_EXTENDED", where, "the {reader} schema accepts any extra property")
    elif old is not False and not is_empty(old):
        diff.compare(old, new, where, depth + 1)


def _compare_patterns(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str, depth: int
) -> None:
    old = as_dict(writer, "patternProperties")
    new = as_dict(reader, "patternProperties")
    for pattern in dict.fromkeys([*old, *new]):
        where = f"{at}/patternProperties/{pointers.escape(pattern)}"
        if pattern in old and pattern in new:
            diff.compare(old[pattern], new[pattern], where, depth + 1)
        elif pattern in new:
            diff.add(
                "PATTERN_PROPERTY_ADDED",
                where,
                f"the {{reader}} schema constrains properties matching {pattern!r}",
            )
        elif is_empty(reader.get("additionalProperties", True)):
            diff.add(
                "PATTERN_PROPERTY_REMOVED",
                where,
                f"the {{reader}} schema no longer constrains properties matching {pattern!r}",
            )
        else:
            diff.add(
                "PATTERN_PROPERTY_REMOVED_FROM_UNOPEN_CONTENT_MODEL",
                where,
                f"properties matching {pattern!r} now meet the {{reader}} schema's additional-property rule",
            )


def _compare_dependent_required(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str
) -> None:
    old = as_dict(writer, "dependentRequired")
    new = as_dict(reader, "dependentRequired")
    for name, needed in new.items():
        extra = set(needed) - set(old.get(name, []))
        if extra:
            diff.add(
                "DEPENDENT_REQUIRED_ADDED",
                f"{at}/dependentRequired/{pointers.escape(name)}",
                f"the {{reader}} schema requires {sorted(extra)} whenever '{name}' is present",
            )
    if any(set(old[name]) - set(new.get(name, [])) for name in old):
        diff.add(
            "DEPENDENT_REQUIRED_REMOVED",
            f"{at}/dependentRequired",
            "the {reader} schema has fewer dependent requirements",
        )


def compare_arrays(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str, depth: int
) -> None:
    old_prefix = as_list(writer, "prefixItems")
    new_prefix = as_list(reader, "prefixItems")
    old_rest, new_rest = writer.get("items", True), reader.get("items", True)
    for index in range(max(len(old_prefix), len(new_prefix))):
        where = f"{at}/prefixItems/{index}"
        if index < len(old_prefix) and index < len(new_prefix):
            diff.compare(old_prefix[index], new_prefix[index], where, depth + 1)
        elif index < len(old_prefix):
            _item_removed(diff, old_prefix[index], new_rest, index, where, depth)
        else:
            _item_added(diff, old_rest, new_prefix[index], index, where, depth)
    if "items" in reader:
        diff.compare(old_rest, new_rest, f"{at}/items", depth + 1)
    if "contains" in reader:
        if "contains" in writer:
            diff.compare(writer["contains"], reader["contains"], f"{at}/contains", depth + 1)
        else:
            diff.add(
                "CONTAINS_ADDED", f"{at}/contains", "the {reader} schema needs an item the {writer} may lack"
            )
    elif "contains" in writer:
        diff.add("CONTAINS_REMOVED", f"{at}/contains", "the {reader} schema drops contains")


def _item_removed(diff: Comparer, old: Any, rest: Any, index: int, where: str, depth: int) -> None:
    if is_empty(rest):
        diff.add(
            "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema leaves position {index} to its open items",
        )
    elif rest is False:
        if old is False:
            diff.add(
                "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                where,
                f"the {{reader}} schema drops position {index}, which the {{writer}} schema forbade",
            )
        else:
            diff.add(
                "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                where,
                f"the {{reader}} schema's tuple is closed before position {index}: {{writer}} data may have an item there",
            )
    else:
        covered, reasons = diff.trial(old, rest, where, depth + 1)
        kind = "ITEM_REMOVED_IS_COVERED_BY" if covered else "ITEM_REMOVED_NOT_COVERED_BY"
        diff.add(
            f"{kind}_PARTIALLY_OPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema reads position {index} with its items schema{'' if covered else f', which does not fit ({reasons})'}",
        )


def _item_added(diff: Comparer, rest: Any, new: Any, index: int, where: str, depth: int) -> None:
    if is_empty(rest):
        if is_empty(new):
            diff.add(
                "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema declares position {index} accepting anything",
            )
        else:
            diff.add(
                "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
                where,
                f"the {{reader}} schema declares position {index} with a schema; {{writer}} arrays may hold anything there",
            )
    elif rest is False:
        diff.add(
            "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
            where,
            f"the {{reader}} schema declares position {index}; {{writer}} tuples never have it",
        )
    else:
        covered, reasons = diff.trial(rest, new, where, depth + 1)
        kind = "ITEM_ADDED_IS_COVERED_BY" if covered else "ITEM_ADDED_NOT_COVERED_BY"
        diff.add(
            f"{kind}_PARTIALLY_OPEN_CONTENT_MODEL",
            where,
            f"the {{reader}} schema's position {index} {'reads' if covered else 'does not read'} what the {{writer}} schema's items allow{'' if covered else f' ({reasons})'}",
        )

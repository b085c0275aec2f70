"""How a reader schema differs from a writer schema: can the reader accept everything the writer allows?

Modelled on Confluent Schema Registry's JSON Schema `SchemaDiff` (its difference kinds and its open / closed /
partially open content models), written afresh for JSON Schema 2020-12 as plain dictionaries. Each
`Difference` has a stable `kind`; kinds in `COMPATIBLE_KINDS` never break a reader, every other kind does.

Messages say `{writer}` and `{reader}`; `compatibility` fills in "old" and "new" for the direction it checks.
Approximations, chosen to err on the side of reporting: `allOf` members are merged into one schema (exact for
the usual "extend a base object" pattern), `if`/`then`/`else` must stay equal, and sibling keywords of a
`$ref` override the referenced schema's.
"""

from dataclasses import dataclass
from typing import Any

from contracts import subschemas
from contracts.content_model_diff import compare_arrays, compare_objects
from contracts.keyword_diff import (
    Comparer,
    compare_bounds,
    compare_exact,
    compare_logic,
    compare_type,
    compare_values,
    is_empty,
)

COMPATIBLE_KINDS = frozenset(
    {
        "TYPE_EXTENDED",
        "ENUM_ARRAY_EXTENDED",
        "ENUM_REMOVED",
        "MAX_LENGTH_INCREASED",
        "MAX_LENGTH_REMOVED",
        "MIN_LENGTH_DECREASED",
        "MIN_LENGTH_REMOVED",
        "MAXIMUM_INCREASED",
        "MAXIMUM_REMOVED",
        "MINIMUM_DECREASED",
        "MINIMUM_REMOVED",
        "EXCLUSIVE_MAXIMUM_INCREASED",
        "EXCLUSIVE_MAXIMUM_REMOVED",
        "EXCLUSIVE_MINIMUM_DECREASED",
        "EXCLUSIVE_MINIMUM_REMOVED",
        "MULTIPLE_OF_REDUCED",
        "MULTIPLE_OF_REMOVED",
        "PATTERN_REMOVED",
        "FORMAT_REMOVED",
        "MAX_ITEMS_INCREASED",
        "MAX_ITEMS_REMOVED",
        "MIN_ITEMS_DECREASED",
        "MIN_ITEMS_REMOVED",
        "MAX_PROPERTIES_INCREASED",
        "MAX_PROPERTIES_REMOVED",
        "MIN_PROPERTIES_DECREASED",
        "MIN_PROPERTIES_REMOVED",
        "MAX_CONTAINS_INCREASED",
        "MAX_CONTAINS_REMOVED",
        "MIN_CONTAINS_DECREASED",
        "MIN_CONTAINS_REMOVED",
        "UNIQUE_ITEMS_REMOVED",
        "CONTAINS_REMOVED",
        "NOT_REMOVED",
        "CONDITIONAL_REMOVED",
        "DEPENDENT_REQUIRED_REMOVED",
        "REQUIRED_ATTRIBUTE_REMOVED",
        "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED",
        "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL",
        "PATTERN_PROPERTY_REMOVED",
        "ADDITIONAL_PROPERTIES_OPENED",
        "ADDITIONAL_PROPERTIES_EXTENDED",
        "UNEVALUATED_PROPERTIES_OPENED",
        "UNEVALUATED_PROPERTIES_EXTENDED",
        "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL",
        "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL",
        "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL",
        "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL",
        "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        "SUM_TYPE_EXTENDED",
        "COMBINED_TYPE_EXTENDED",
    }
)

MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    pointer: str
    message: str

    @property
    def breaking(self) -> bool:
        return self.kind not in COMPATIBLE_KINDS


def diff_schemas(writer: Any, reader: Any) -> list[Difference]:
    """Every difference that matters to a `reader` schema reading data written under `writer`."""
    diff = _Diff(writer, reader)
    diff.compare(writer, reader, "", 0)
    return diff.differences


def compare_keywords(
    diff: Comparer, writer: dict[str, Any], reader: dict[str, Any], at: str, depth: int
) -> None:
    if not compare_type(diff, writer, reader, at):
        return  # a changed type makes every other keyword moot
    compare_values(diff, writer, reader, at)
    compare_bounds(diff, writer, reader, at)
    compare_exact(diff, writer, reader, at)
    compare_objects(diff, writer, reader, at, depth)
    compare_arrays(diff, writer, reader, at, depth)
    compare_logic(diff, writer, reader, at, depth)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Both schemas at once, as one schema (exact for properties/required/type, later wins otherwise)."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged:
            merged[key] = value
        elif key == "properties" and isinstance(value, dict) and isinstance(merged[key], dict):
            properties = dict(merged[key])
            for name, schema in value.items():
                properties[name] = {"allOf": [properties[name], schema]} if name in properties else schema
            merged[key] = properties
        elif key == "required" and isinstance(value, list) and isinstance(merged[key], list):
            merged[key] = list(dict.fromkeys([*merged[key], *value]))
        elif key == "type" and isinstance(value, str | list) and isinstance(merged[key], str | list):
            first = {merged[key]} if isinstance(merged[key], str) else set(merged[key])
            second = {value} if isinstance(value, str) else set(value)
            merged[key] = sorted(first & second)
        elif key in subschemas.SCHEMA_KEYWORDS and merged[key] != value:
            merged[key] = {"allOf": [merged[key], value]}
        else:
            merged[key] = value
    return merged


class _Diff:
    def __init__(self, writer_root: Any, reader_root: Any) -> None:
        self.writer_root = writer_root
        self.reader_root = reader_root
        self.differences: list[Difference] = []
        self._active_refs: set[tuple[str, str]] = set()

    def add(self, kind: str, pointer: str, message: str) -> None:
        self.differences.append(Difference(kind, pointer, message))

    def _child(self, *, swapped: bool = False) -> "_Diff":
        if swapped:
            return _Diff(self.reader_root, self.writer_root)
        child = _Diff(self.writer_root, self.reader_root)
        child._active_refs = set(self._active_refs)
        return child

    def trial(
        self, writer: Any, reader: Any, at: str, depth: int, *, swapped: bool = False
    ) -> tuple[bool, str]:
        """Compare on the side: whether `reader` reads `writer`, and if not, why. A compatible trial's
        differences join this diff's (a swapped trial's never do: its writer and reader trade places)."""
        child = self._child(swapped=swapped)
        child.compare(writer, reader, at, depth)
        compatible = not any(difference.breaking for difference in child.differences)
        if compatible and not swapped:
            self.differences += child.differences
        reasons = "; ".join(f"{d.kind} at {d.pointer or '/'}" for d in child.differences if d.breaking)
        return compatible, reasons

    def _deref(self, schema: Any, root: Any) -> tuple[Any, str]:
        """The schema with its `$ref` chain resolved, and the last `$ref` followed ("" when none)."""
        last = ""
        for _ in range(32):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                break
            last = schema["$ref"]
            try:
                target = subschemas.resolve_local_ref(root, last)
            except KeyError:
                target = {}  # refused at registration; here it constrains nothing
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = _merge(target, siblings) if isinstance(target, dict) else target
        return schema, last

    def _flatten(self, schema: Any, root: Any, depth: int = 0) -> Any:
        """The schema with its `allOf` members merged in (a member referring back to it is merged once)."""
        schema, _ = self._deref(schema, root)
        if not isinstance(schema, dict) or not isinstance(schema.get("allOf"), list):
            return schema
        merged = {key: value for key, value in schema.items() if key != "allOf"}
        if depth > 16:
            return merged
        for member in schema["allOf"]:
            member = self._flatten(member, root, depth + 1)
            if member is False:
                return False
            if isinstance(member, dict):
                merged = _merge(merged, member)
        return merged

    def compare(self, writer: Any, reader: Any, at: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        writer, writer_ref = self._deref(writer, self.writer_root)
        reader, reader_ref = self._deref(reader, self.reader_root)
        pair = (writer_ref, reader_ref)
        if writer_ref and reader_ref:
            if pair in self._active_refs:
                return  # the same pair of recursive definitions is being compared further up
            self._active_refs.add(pair)
        try:
            self._compare(
                self._flatten(writer, self.writer_root), self._flatten(reader, self.reader_root), at, depth
            )
        finally:
            self._active_refs.discard(pair)

    def _compare(self, writer: Any, reader: Any, at: str, depth: int) -> None:
        if writer is False or is_empty(reader):
            return
        if reader is False:
            self.add(
                "SCHEMA_NARROWED",
                at,
                "the {reader} schema accepts no value here ({writer} data may have one)",
            )
            return
        writer = writer if isinstance(writer, dict) else {}
        writer_sum, reader_sum = _sum_of(writer), _sum_of(reader)
        if writer_sum and not reader_sum:
            keyword, branches = writer_sum
            base = _without_sum(writer)
            for index, branch in enumerate(branches):
                self.compare(
                    _merge(base, self._flatten(branch, self.writer_root)),
                    reader,
                    f"{at}/{keyword}/{index}",
                    depth + 1,
                )
            return
        compare_keywords(self, _without_sum(writer), _without_sum(reader), at, depth)
        if reader_sum:
            if writer_sum:
                self._compare_sums(writer_sum, reader_sum, at, depth)
            else:
                self._find_branch(writer, reader_sum, at, depth)

    def _find_branch(
        self, writer: dict[str, Any], reader_sum: tuple[str, list[Any]], at: str, depth: int
    ) -> None:
        keyword, branches = reader_sum
        for branch in branches:
            if self.trial(writer, branch, at, depth + 1)[0]:
                self.add(
                    "SUM_TYPE_EXTENDED",
                    at,
                    f"the {{reader}} schema reads this value through one of its {keyword} branches",
                )
                return
        self.add(
            "TYPE_CHANGED",
            at,
            f"no branch of the {{reader}} schema's {keyword} reads what the {{writer}} schema allows",
        )

    def _compare_sums(
        self, writer_sum: tuple[str, list[Any]], reader_sum: tuple[str, list[Any]], at: str, depth: int
    ) -> None:
        (writer_keyword, writer_branches), (reader_keyword, reader_branches) = writer_sum, reader_sum
        if writer_keyword != reader_keyword:
            if reader_keyword == "anyOf":
                self.add(
                    "COMBINED_TYPE_EXTENDED",
                    f"{at}/{reader_keyword}",
                    "the {writer} schema's oneOf is an anyOf in the {reader} schema",
                )
            elif len(writer_branches) > 1:
                self.add(
                    "COMBINED_TYPE_CHANGED",
                    f"{at}/{reader_keyword}",
                    "the {writer} schema's anyOf is a oneOf in the {reader} schema: a value matching two branches is refused",
                )
        if len(reader_branches) > len(writer_branches):
            self.add(
                "SUM_TYPE_EXTENDED",
                f"{at}/{reader_keyword}",
                f"the {{reader}} schema has more {reader_keyword} branches",
            )
        for index, branch in enumerate(writer_branches):
            here = f"{at}/{writer_keyword}/{index}"
            # try the branch at the same position first: the usual case, and the one whose differences we report
            order = sorted(range(len(reader_branches)), key=lambda position: position != index)
            closest = ""
            for position in order:
                compatible, reasons = self.trial(branch, reader_branches[position], here, depth + 1)
                if compatible:
                    break
                closest = closest or reasons
            else:
                detail = (
                    f" (against the same position: {closest})"
                    if closest and index < len(reader_branches)
                    else ""
                )
                if len(reader_branches) < len(writer_branches):
                    self.add(
                        "SUM_TYPE_NARROWED",
                        here,
                        f"{writer_keyword} branch {index} of the {{writer}} schema is read by no branch of the "
                        f"{{reader}} schema: a branch was removed{detail}",
                    )
                else:
                    self.add(
                        "COMBINED_TYPE_SUBSCHEMAS_CHANGED",
                        here,
                        f"{writer_keyword} branch {index} of the {{writer}} schema is read by no branch of the "
                        f"{{reader}} schema{detail}",
                    )


def _sum_of(schema: Any) -> tuple[str, list[Any]] | None:
    if not isinstance(schema, dict):
        return None
    for keyword in ("oneOf", "anyOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and branches:
            return keyword, branches
    return None


def _without_sum(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    return {key: value for key, value in schema.items() if key not in ("oneOf", "anyOf")}

"""Walking a JSON Schema (2020-12) by its schema positions, and its local `$ref`s.

Only keywords that hold subschemas are entered, so a property *named* `$ref` or an `enum` value that looks
like a schema is never mistaken for one.
"""

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

from contracts import pointers

# keyword → how it holds subschemas
SCHEMA_KEYWORDS = frozenset(
    {
        "items",
        "additionalItems",
        "additionalProperties",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
        "not",
        "if",
        "then",
        "else",
    }
)
SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMA_MAP_KEYWORDS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def children(schema: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """The direct subschemas of `schema`, each with its path relative to `schema`."""
    if not isinstance(schema, dict):
        return
    for keyword, value in schema.items():
        if keyword in SCHEMA_KEYWORDS:
            # `items` as a list is draft-07 tuple form; the metaschema check refuses it, but walk it anyway
            if isinstance(value, list):
                yield from (((keyword, index), item) for index, item in enumerate(value))
            else:
                yield (keyword,), value
        elif keyword in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            yield from (((keyword, index), item) for index, item in enumerate(value))
        elif keyword in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            yield from (((keyword, name), item) for name, item in value.items())


def walk(schema: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every schema inside `schema` (itself first), with its JSON Pointer."""
    stack = [(pointer, schema)]
    while stack:
        here, node = stack.pop()
        yield here, node
        stack.extend(
            (here + pointers.from_path(path), child) for path, child in reversed(list(children(node)))
        )


def map_refs(schema: Any, rewrite: Callable[[str], str]) -> Any:
    """A copy of `schema` with every `$ref` (and `$dynamicRef`) value passed through `rewrite`."""
    if not isinstance(schema, dict):
        return schema
    copy: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in ("$ref", "$dynamicRef") and isinstance(value, str):
            copy[keyword] = rewrite(value)
        elif keyword in SCHEMA_KEYWORDS:
            copy[keyword] = (
                [map_refs(item, rewrite) for item in value]
                if isinstance(value, list)
                else map_refs(value, rewrite)
            )
        elif keyword in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            copy[keyword] = [map_refs(item, rewrite) for item in value]
        elif keyword in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            copy[keyword] = {name: map_refs(item, rewrite) for name, item in value.items()}
        else:
            copy[keyword] = value
    return copy


def resolve_local_ref(root: Any, ref: str) -> Any:
    """The schema a local `$ref` (`#` or `#/json/pointer`) names in `root`; KeyError when it names nothing."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        raise KeyError(ref)
    return pointers.resolve(root, unquote(ref[1:]))


def rebase_refs(schema: Any, base: str) -> Any:
    """A copy of `schema` to embed at `base` (a JSON Pointer into another document): `#/$defs/x` → `#{base}/$defs/x`.

    Anchor references (`#name`) are left alone; contract schemas use pointers.
    """

    def rewrite(ref: str) -> str:
        if ref == "#":
            return f"#{base}"
        return f"#{base}{ref[1:]}" if ref.startswith("#/") else ref

    return map_refs(schema, rewrite)

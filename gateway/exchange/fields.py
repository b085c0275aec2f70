"""A grant's allowed fields: the reply is cut down to the values at those JSON Pointers (`*` for array items)."""

from collections.abc import Sequence
from typing import Any

from contracts.pointers import escape, split

_LEAF = ""  # a key no pointer segment of an allowed field can be: marks "everything below is allowed"


def field_tree(pointers: Sequence[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for pointer in pointers:
        node = tree
        for segment in split(pointer):
            node = node.setdefault(segment, {})
        node[_LEAF] = True
    return tree


def project(value: Any, tree: dict[str, Any]) -> Any:
    if _LEAF in tree:
        return value
    if isinstance(value, dict):
        return {key: project(value[key], below) for key, below in tree.items() if key in value}
    if isinstance(value, list) and "*" in tree:
        return [project(item, tree["*"]) for item in value]
    return value


def outside(value: Any, tree: dict[str, Any], pointer: str = "") -> list[str]:
    """The pointers of the members of `value` the allowed fields do not cover (names only, never values)."""
    if _LEAF in tree:
        return []
    if isinstance(value, dict):
        found: list[str] = []
        for key, item in value.items():
            below = tree.get(key)
            escaped = f"{pointer}/{escape(key)}"
            found.extend([escaped] if below is None else outside(item, below, escaped))
        return found
    if isinstance(value, list) and "*" in tree:
        return [
            hit for index, item in enumerate(value) for hit in outside(item, tree["*"], f"{pointer}/{index}")
        ]
    return []

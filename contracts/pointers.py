"""RFC 6901 JSON Pointers: building, parsing and resolving them."""

from collections.abc import Iterable
from typing import Any


def escape(segment: str | int) -> str:
    return str(segment).replace("~", "~0").replace("/", "~1")


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def from_path(segments: Iterable[str | int]) -> str:
    """`from_path(["examples", 0, "name"])` → `/examples/0/name`; no segments → `""` (the root)."""
    return "".join("/" + escape(segment) for segment in segments)


def split(pointer: str) -> list[str]:
    """`/a~1b/0` → `["a/b", "0"]`; raises ValueError for text that is not a pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"'{pointer}' is not a JSON Pointer")
    return [unescape(segment) for segment in pointer[1:].split("/")]


_MISSING = object()


def resolve(document: Any, pointer: str, default: Any = _MISSING) -> Any:
    """The value at `pointer` in `document`; `default` (or KeyError) when it is not there."""
    node = document
    for segment in split(pointer):
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        elif default is _MISSING:
            raise KeyError(pointer)
        else:
            return default
    return node

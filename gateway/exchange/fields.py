"""A grant's allowed fields: the reply is cut down to the properties at those JSON Pointers."""

from collections.abc import Sequence
from typing import Any


def project(value: Any, pointers: Sequence[str]) -> Any:
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for pointer in pointers:
        source: Any = value
        target = result
        segments = [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]
        for position, segment in enumerate(segments):
            if not isinstance(source, dict) or segment not in source:
                break
            source = source[segment]
            if position == len(segments) - 1:
                target[segment] = source
            else:
                target = target.setdefault(segment, {})
    return result

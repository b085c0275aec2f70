"""Captured payloads: sensitive fields masked, then encrypted at rest (Fernet, from the `cryptography` package)."""

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken

from registry.keyfiles import fernet_key

MASK = "***"


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _mask_at(node: Any, segments: list[str]) -> None:
    if not segments:
        return
    head, rest = _unescape(segments[0]), segments[1:]
    if isinstance(node, list):
        targets = range(len(node)) if head in ("*", "-") else [int(head)] if head.isdigit() else []
        for index in targets:
            if index < len(node):
                if rest:
                    _mask_at(node[index], rest)
                else:
                    node[index] = MASK
    elif isinstance(node, dict) and head in node:
        if rest:
            _mask_at(node[head], rest)
        else:
            node[head] = MASK


def mask(value: Any, pointers: Sequence[str]) -> Any:
    """A copy of `value` with every value at the JSON Pointers replaced by `***` (`*` matches any array item)."""
    if not pointers:
        return value
    masked = copy.deepcopy(value)
    for pointer in pointers:
        if pointer == "":
            return MASK
        _mask_at(masked, pointer.split("/")[1:])
    return masked


class PayloadCipher:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, key: str | None, data_dir: Path) -> "PayloadCipher":
        """The configured key, or one generated once and kept in the data directory (embedded default)."""
        return cls(fernet_key(key, data_dir, "capture.key", "LGSP_CAPTURE_KEY"))

    def seal(self, value: Any, sensitive: Sequence[str] = ()) -> str:
        return self._fernet.encrypt(orjson.dumps(mask(value, sensitive))).decode()

    def open(self, token: str) -> Any:
        try:
            return orjson.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("the payload cannot be decrypted with this capture key") from None

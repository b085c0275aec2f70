"""Backend secrets sealed at rest with Fernet (`cryptography`), keyed as captured payloads are."""

from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken

from registry.keyfiles import fernet_key


class BackendCipher:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, key: str | None, data_dir: Path) -> "BackendCipher":
        """`LGSP_BACKEND_SECRET_KEY`, or a key generated once and kept in the data directory (embedded default)."""
        return cls(fernet_key(key, data_dir, "backend.key", "LGSP_BACKEND_SECRET_KEY"))

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(orjson.dumps(value)).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            opened = orjson.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("the backend's secrets cannot be decrypted with this key") from None
        return opened if isinstance(opened, dict) else {}

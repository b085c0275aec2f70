"""Backend secrets sealed at rest with Fernet (`cryptography`), keyed as captured payloads are."""

import logging
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger("lgsp.backends")


class BackendCipher:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, key: str | None, data_dir: Path) -> "BackendCipher":
        """`LGSP_BACKEND_SECRET_KEY`, or a key generated once and kept in the data directory (embedded default)."""
        if key:
            return cls(key)
        path = data_dir / "backend.key"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
            log.warning(
                "generated a backend secret key in %s; set LGSP_BACKEND_SECRET_KEY when sharing", path
            )
        return cls(path.read_bytes().strip())

    def seal(self, value: dict[str, Any]) -> str:
        return self._fernet.encrypt(orjson.dumps(value)).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            opened = orjson.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise ValueError("the backend's secrets cannot be decrypted with this key") from None
        return opened if isinstance(opened, dict) else {}

"""Symmetric keys of the embedded default: generated once, kept in the data directory, readable by the owner only."""

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet

log = logging.getLogger("lgsp.keys")


def fernet_key(configured: str | None, data_dir: Path, file_name: str, setting: str) -> bytes:
    """The configured key, else the one in `data_dir/file_name`, generated on first use (created with mode 600,
    never readable by others even for an instant); `setting` names the variable to set when processes share."""
    if configured:
        return configured.encode()
    path = data_dir / file_name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
        log.warning("generated a key in %s; set %s where processes share it", path, setting)
    return path.read_bytes().strip()

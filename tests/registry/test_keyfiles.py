"""Keys of the embedded default kept in the data directory: made once, the owner's alone, a configured one wins."""

import stat
from pathlib import Path

from cryptography.fernet import Fernet

from registry.keyfiles import fernet_key


class TestKeyKeptInTheDataDirectory:
    def test_made_once_with_mode_600_and_read_back(self, tmp_path: Path) -> None:
        first = fernet_key(None, tmp_path / "data", "capture.key", "LGSP_CAPTURE_KEY")
        again = fernet_key(None, tmp_path / "data", "capture.key", "LGSP_CAPTURE_KEY")
        assert first == again
        assert stat.S_IMODE((tmp_path / "data" / "capture.key").stat().st_mode) == 0o600
        Fernet(first)  # a usable key

    def test_a_configured_key_is_used_and_nothing_written(self, tmp_path: Path) -> None:
        configured = Fernet.generate_key().decode()
        assert (
            fernet_key(configured, tmp_path, "backend.key", "LGSP_BACKEND_SECRET_KEY") == configured.encode()
        )
        assert not (tmp_path / "backend.key").exists()

"""The federation demo's platforms: which seed each loads, its port, data directory and settings."""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from federation.signing import load_or_create_key, public_keys
from registry.demo import load_seed_province

# the national tier first: the members pin its key and join it
SEEDS = ("national", "H50", "H93", "H38", "H51")
DEMO_PROVINCE = "H50"  # runs as `lgsp up --demo`: its connectors answer the services the others call
ADMIN_ID = "federation-admin"
REFRESH_SECONDS = 2  # a demo shows a decision within seconds, not the default minute


@dataclass(frozen=True)
class Platform:
    seed: str
    code: str
    name: str
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def national(self) -> bool:
        return self.seed == "national"

    @property
    def consumer(self) -> str:
        """The consumer client the demo makes on a province and prints."""
        return f"lien-thong-{self.code.lower()}"


def platforms(root: Path, base_port: int) -> list[Platform]:
    found = []
    for offset, seed in enumerate(SEEDS):
        province = load_seed_province(seed)
        found.append(Platform(seed, province.code, province.name, base_port + offset, root / seed))
    return found


def admin_secret(root: Path) -> str:
    """The demo operators' admin secret, made on the first start and kept (mode 600) for the next ones."""
    path = root / "admin-secret"
    if not path.exists():
        root.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    return path.read_text().strip()


def pin_national_key(national: Platform, root: Path) -> Path:
    """The national tier's public key, which every member pins (made on the first start)."""
    national.directory.mkdir(parents=True, exist_ok=True)
    key = load_or_create_key(national.directory / "federation-key.jwk")
    pinned = root / "national-key.json"
    pinned.write_text(json.dumps({"keys": public_keys(key)}))
    return pinned


def environment(platform: Platform, national: Platform, pinned: Path, secret: str) -> dict[str, str]:
    """The child's environment: the caller's, without its LGSP_* settings (each platform has its own)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("LGSP_")}
    settings = {
        "LGSP_DATA_DIR": str(platform.directory),
        "LGSP_ISSUER": platform.url,
        "LGSP_PROVINCE": platform.code,
        "LGSP_OPERATOR_AGENCY": platform.code,
        "LGSP_OPERATOR_NAME": platform.name,
        "LGSP_ADMIN_CLIENT_ID": ADMIN_ID,
        "LGSP_ADMIN_CLIENT_SECRET": secret,
        "LGSP_FEDERATION_REFRESH_SECONDS": str(REFRESH_SECONDS),
    }
    if platform.national:
        settings["LGSP_TIER"] = "national"
    else:
        settings |= {"LGSP_NATIONAL_URL": national.url, "LGSP_NATIONAL_KEY_FILE": str(pinned)}
    return base | settings

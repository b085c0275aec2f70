"""One platform's part in the federation at run time: its tier, its federation key, and (a member) its verified
copy of the directory, refreshed in the background."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from contracts.errors import LgspError
from contracts.signing import SigningKey
from federation.directory import DirectoryCopy
from federation.signing import load_or_create_key, load_pinned

log = logging.getLogger("lgsp.federation")


class FederationCannotStart(LgspError):
    name, status, title = "federation-misconfigured", 500, "The federation settings are incomplete"


@dataclass(frozen=True, slots=True)
class FederationConfig:
    tier: str
    code: str
    name: str
    base_url: str
    key_file: Path
    directory_file: Path
    national_url: str | None
    national_key_file: Path | None
    refresh_seconds: float
    validity_seconds: float

    @property
    def is_national(self) -> bool:
        return self.tier == "national"


@dataclass
class Federation:
    config: FederationConfig
    copy: DirectoryCopy | None  # a member's directory; None on the national tier or outside any federation
    _key: SigningKey | None = None
    # (the national tier) counts the directory's changes committed here: what holds it in memory reads it again
    changes: int = 0

    @property
    def key(self) -> SigningKey:
        """The federation key, made on first use: a platform outside any federation writes none."""
        if self._key is None:
            try:
                self._key = load_or_create_key(self.config.key_file)
            except (OSError, ValueError) as exc:
                raise FederationCannotStart(f"the federation key {self.config.key_file}: {exc}") from None
        return self._key

    @classmethod
    async def start(cls, config: FederationConfig) -> Federation:
        copy = None
        if not config.is_national and config.national_url:
            if config.national_key_file is None:
                raise FederationCannotStart("LGSP_NATIONAL_URL is set without LGSP_NATIONAL_KEY_FILE to pin")
            try:
                pinned = load_pinned(config.national_key_file)
            except (OSError, ValueError) as exc:
                raise FederationCannotStart(
                    f"LGSP_NATIONAL_KEY_FILE {config.national_key_file}: {exc}"
                ) from None
            copy = DirectoryCopy(config.national_url, pinned, config.directory_file, config.refresh_seconds)
        federation = cls(config, copy)
        if config.is_national or copy is not None:
            federation.key  # noqa: B018 (made or read now: a bad key file stops the start, not a later request)
        if copy is not None:
            copy.load_from_disk()
            copy.start()
        return federation

    async def stop(self) -> None:
        if self.copy is not None:
            await self.copy.stop()

"""The signed, versioned federation directory, and a member's verified copy of it.

The national tier signs `{version, issued_at, expires_at, national, members, services}`; a member fetches it
every LGSP_FEDERATION_REFRESH_SECONDS, believes it only when the pinned national key signed it, never goes back to
an older version, keeps the last good copy on disk and uses it while the national tier is unreachable, until the
copy expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from joserfc.jwk import KeySet

from federation.signing import DIRECTORY_TYPE, SignatureRefused, verify

log = logging.getLogger("lgsp.federation")


class DirectoryRefused(ValueError):
    """A directory that is not believed: unsigned by the pinned key, older than the one held, or expired."""


@dataclass(frozen=True, slots=True)
class Directory:
    token: str
    version: int
    issued_at: float
    expires_at: float
    national: dict[str, Any]
    members: list[dict[str, Any]]
    services: list[dict[str, Any]]

    @classmethod
    def verified(cls, token: str, pinned: KeySet, now: float | None = None) -> Directory:
        try:
            payload = verify(token, pinned, DIRECTORY_TYPE)
            directory = cls(
                token=token,
                version=int(payload["version"]),
                issued_at=float(payload["issued_at"]),
                expires_at=float(payload["expires_at"]),
                national=dict(payload["national"]),
                members=[dict(member) for member in payload["members"]],
                services=[dict(service) for service in payload["services"]],
            )
        except SignatureRefused as refused:
            raise DirectoryRefused(
                f"the signature is not the pinned national key's: {refused.detail}"
            ) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise DirectoryRefused(f"a signed document that is not a directory: {exc!r}") from None
        if directory.expires_at <= (time.time() if now is None else now):
            raise DirectoryRefused(f"version {directory.version} has expired")
        return directory

    def member(self, code: str) -> dict[str, Any] | None:
        return next((member for member in self.members if member.get("code") == code), None)

    def is_active(self, code: str) -> bool:
        member = self.member(code)
        return member is not None and member.get("status") == "active"

    def publishes(self, code: str) -> bool:
        """Whether `code`'s services are callable: an active member's, or the national tier's own."""
        return code == self.national.get("code") or self.is_active(code)

    def remote_services(self, own_code: str) -> list[dict[str, Any]]:
        """The services other active members (and the national tier) publish: what this member shows as remote."""
        return [
            service
            for service in self.services
            if service.get("member") != own_code and self.publishes(str(service.get("member")))
        ]


@dataclass
class DirectoryCopy:
    """A member's verified directory: fetched, checked, kept on disk; the last good one when fetching fails."""

    url: str
    pinned: KeySet
    path: Path
    interval: float
    current: Directory | None = None
    source: str = "none"  # national | disk | none
    fetched_at: float | None = None
    last_error: str | None = None
    _task: asyncio.Task[None] | None = field(default=None, init=False)

    def load_from_disk(self) -> None:
        with contextlib.suppress(OSError):
            token = self.path.read_text().strip()
            try:
                self.current = Directory.verified(token, self.pinned)
                self.source = "disk"
            except DirectoryRefused as refused:
                log.warning("the federation directory on disk is not used: %s", refused)

    async def refresh(self, client: httpx.AsyncClient | None = None) -> Directory | None:
        """Fetch and verify; on any failure keep the copy held (and say why in `last_error`)."""
        try:
            url = f"{self.url.rstrip('/')}/api/v1/federation/directory"
            if client is None:
                async with httpx.AsyncClient(timeout=5.0) as own:
                    response = await own.get(url)
            else:
                response = await client.get(url)
            if response.status_code != 200:
                raise DirectoryRefused(f"the national tier answered {response.status_code}")
            self.accept(response.text.strip())
        except (httpx.HTTPError, DirectoryRefused) as exc:
            self.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
            log.warning("federation directory not refreshed (the last good copy stays): %s", self.last_error)
            if self.current is not None and self.current.expires_at <= time.time():
                log.warning("the last good federation directory has expired: the federation is refused")
                self.current = None
                self.source = "none"
        return self.current

    def accept(self, token: str) -> Directory:
        directory = Directory.verified(token, self.pinned)
        if self.current is not None and directory.version < self.current.version:
            raise DirectoryRefused(
                f"version {directory.version} is older than version {self.current.version} held"
            )
        self._save(token)
        self.current, self.source, self.fetched_at, self.last_error = directory, "national", time.time(), None
        return directory

    def _save(self, token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(token)
        os.replace(temporary, self.path)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="federation-directory")

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=5.0) as client:
            while True:
                await self.refresh(client)
                await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

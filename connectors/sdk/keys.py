"""The gateway's public envelope keys (a JWKS), to verify the signature on every request envelope.

Three sources: the gateway's `/.well-known/envelope-jwks.json` over HTTP (its envelope keys only: the keys that
sign access tokens, at `/.well-known/jwks.json`, never sign an envelope) (cached; fetched again when a request names a
key id the cache does not hold, i.e. after a key rotation, but at most every `min_refetch_interval` seconds, so
forged key ids cannot make the connector hammer the gateway; and again once the cache is `max_age` old, so a
withdrawn key stops verifying); a fixed key set; or a provider function, for a connector composed in the
gateway's own process, which reads the gateway's current key set on every request.
"""

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from joserfc.jwk import KeySet

from contracts.envelope import Envelope
from contracts.errors import LgspError
from contracts.signing import verify_envelope

log = logging.getLogger("lgsp.connector")
JWKS_PATH = "/.well-known/envelope-jwks.json"


class KeysUnavailable(LgspError):
    name, status, title = "keys-unavailable", 503, "The gateway's keys are unavailable"


def _kids(key_set: KeySet) -> frozenset[str]:
    return frozenset(str(key.kid) for key in key_set.keys if key.kid is not None)


def signature_kid(signature: str | None) -> str | None:
    """The `kid` in a detached JWS's protected header; None when it cannot be read (verification says why)."""
    if not signature:
        return None
    encoded = signature.split(".", 1)[0]
    try:
        header = orjson.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


class GatewayKeys:
    def __init__(
        self,
        *,
        url: str | None = None,
        key_set: KeySet | dict[str, Any] | None = None,
        provider: Callable[[], KeySet] | None = None,
        min_refetch_interval: float = 30.0,
        max_age: float = 300.0,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Give exactly one of `url` (the gateway's base URL), `key_set` or `provider`."""
        if sum(source is not None for source in (url, key_set, provider)) != 1:
            raise ValueError("give exactly one of url, key_set or provider")
        self._provider = provider
        self._http = (
            httpx.AsyncClient(base_url=url.rstrip("/"), timeout=timeout, transport=transport) if url else None
        )
        self._key_set: KeySet | None = None
        self._kids: frozenset[str] = frozenset()
        if key_set is not None:
            self._store(key_set if isinstance(key_set, KeySet) else KeySet.import_key_set(key_set))  # type: ignore[arg-type]
        self.min_refetch_interval = min_refetch_interval
        self.max_age = max_age
        self.fetches = 0
        self._fetched_at = float("-inf")
        self._tried: dict[str, float] = {}  # when a refresh was last tried, by why
        self._lock = asyncio.Lock()

    @property
    def url(self) -> str | None:
        return str(self._http.base_url) + JWKS_PATH.lstrip("/") if self._http else None

    def _store(self, key_set: KeySet) -> None:
        self._key_set, self._kids = key_set, _kids(key_set)

    async def start(self) -> None:
        """Fetch the keys now (from a URL), so a connector that cannot verify anything does not start."""
        if self._http is not None and self._key_set is None:
            async with self._lock:
                await self._fetch()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def _fetch(self) -> None:
        assert self._http is not None
        self.fetches += 1
        try:
            response = await self._http.get(JWKS_PATH)
            response.raise_for_status()
            key_set = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, TypeError, KeyError) as exc:
            raise KeysUnavailable(f"cannot fetch the gateway's keys from {self.url}: {exc!r}") from exc
        self._store(key_set)
        self._fetched_at = time.monotonic()

    async def _refresh(self, why: str, reason: str) -> None:
        """Fetch again unless this reason fetched (or tried) within `min_refetch_interval`.

        Keeps the old keys when the gateway cannot be reached.
        """
        async with self._lock:
            now = time.monotonic()
            if now - self._tried.get(why, float("-inf")) < self.min_refetch_interval:
                return
            self._tried[why] = now
            try:
                await self._fetch()
            except KeysUnavailable as exc:
                log.warning("%s; still using the keys fetched before (%s)", exc.detail, reason)
            else:
                log.info("fetched the gateway's keys again (%s): %s", reason, ", ".join(sorted(self._kids)))

    async def key_set_for(self, kid: str | None) -> KeySet:
        """The current key set, fetched again when it is stale or does not hold `kid`."""
        if self._provider is not None:
            return self._provider()
        if self._http is not None:
            if self._key_set is None:
                async with self._lock:
                    if self._key_set is None:
                        await self._fetch()
            elif time.monotonic() - self._fetched_at > self.max_age:
                await self._refresh("stale", "the cached keys are older than max_age")
            if kid is not None and kid not in self._kids:
                await self._refresh("unknown-kid", f"a request is signed with unknown key {kid!r}")
        assert self._key_set is not None
        return self._key_set

    async def verify(self, envelope: Envelope) -> None:
        """Raise `contracts.signing.SignatureInvalid` unless the envelope is signed by a gateway key."""
        verify_envelope(envelope, await self.key_set_for(signature_kid(envelope.signature)))

"""Checking that the gateway signed a share batch, and the warehouse's own key for its acknowledgements.

The sink takes any `EnvelopeVerifier` (such as the connector SDK's `GatewayKeys`), or a fixed `KeySet`, or a
key source (a function returning the current set, e.g. the gateway's JWKS over HTTP) which `CachedKeys` calls
again when a check fails (after a key rotation), at most every `min_interval` seconds.
"""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from joserfc.jwk import KeySet

from connectors.sdk.client import GatewayClient
from connectors.sdk.keys import JWKS_PATH
from contracts.envelope import Envelope
from contracts.errors import InvalidInput
from contracts.signing import MessageSigner, SignatureInvalid, verify_envelope

KeySource = Callable[[], KeySet | Awaitable[KeySet]]


@runtime_checkable
class EnvelopeVerifier(Protocol):
    async def verify(self, envelope: Envelope) -> None:
        """Raise `contracts.signing.SignatureInvalid` unless the gateway signed `envelope`."""


def gateway_jwks(client: GatewayClient) -> Callable[[], Awaitable[KeySet]]:
    """The gateway's envelope keys (`/.well-known/envelope-jwks.json`) as a key source."""

    async def fetch() -> KeySet:
        return KeySet.import_key_set(await client.get(JWKS_PATH))

    return fetch


class CachedKeys:
    def __init__(self, keys: KeySet | KeySource, *, min_interval: float = 30.0) -> None:
        self._source = None if isinstance(keys, KeySet) else keys
        self._keys = keys if isinstance(keys, KeySet) else None
        self._min_interval = min_interval
        self._fetched_at = -min_interval
        self._lock = asyncio.Lock()

    async def current(self) -> KeySet:
        if self._keys is None:
            await self._fetch()
        assert self._keys is not None
        return self._keys

    async def _fetch(self) -> bool:
        async with self._lock:
            if self._source is None or time.monotonic() - self._fetched_at < self._min_interval:
                return False
            keys = self._source()
            self._keys = await keys if inspect.isawaitable(keys) else keys
            self._fetched_at = time.monotonic()
            return True

    async def verify(self, envelope: Envelope) -> None:
        """Raise `SignatureInvalid` unless the gateway signed `envelope` (with a current or a new key)."""
        try:
            verify_envelope(envelope, await self.current())
        except SignatureInvalid:
            if not await self._fetch():
                raise
            verify_envelope(envelope, await self.current())


def load_signer(path: Path | None) -> MessageSigner | None:
    """The private JWK at `path` (`LGSP_MESSAGE_KEY_FILE`) as a signer; `InvalidInput` in one line if unusable."""
    if path is None:
        return None
    try:
        return MessageSigner.from_file(path)
    except OSError as exc:
        raise InvalidInput(f"cannot read LGSP_MESSAGE_KEY_FILE {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # orjson, joserfc and ValueError: the file is not a private signing JWK
        raise InvalidInput(
            f"LGSP_MESSAGE_KEY_FILE {path} is not a private EC P-256 or Ed25519 JWK: {exc}"
        ) from None

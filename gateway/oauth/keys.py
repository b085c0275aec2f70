"""The gateway's signing keys (ES256), persisted in the database so every gateway instance shares them.

Two purposes, never mixed: access tokens (`typ` at+jwt, published at `/.well-known/jwks.json`) and bus request
envelopes (published at `/.well-known/envelope-jwks.json`, where connectors and the warehouse look), so a
signed envelope can never pass as a token, nor a token as an envelope.

Rotation needs no restart. `lgsp keys rotate` adds a new key of each purpose and retires the old ones; every
gateway re-reads the keys at each registry refresh (`LGSP_REGISTRY_REFRESH_SECONDS`), publishes the new key at
once, and signs with it only once it is that old, so every gateway publishes a key before any signs with it.
Retired keys stay published until what they signed has expired.

JOSE comes from joserfc, the JOSE library of the Authlib project (Authlib's own `authlib.jose` is deprecated
in its favour).
"""

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.oauth.models import KeyPurpose, SigningKey
from gateway.oauth.repository import SigningKeyRepository
from registry.storage import utcnow

ALGORITHM = "ES256"
log = logging.getLogger("lgsp.gateway")


def _new_key(issuer: str, purpose: KeyPurpose) -> SigningKey:
    kid = f"{purpose.value[:3]}-{utcnow():%Y%m%d}-{secrets.token_hex(4)}"
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True)
    return SigningKey(
        kid=kid, algorithm=ALGORITHM, purpose=purpose, private_jwk=key.as_dict(private=True), issuer=issuer
    )


class PurposeKeys:
    """The published keys of one purpose: every one verifies, one signs."""

    def __init__(self, rows: Sequence[SigningKey], *, now: datetime, handover: timedelta) -> None:
        if not any(row.retired_at is None for row in rows):
            raise RuntimeError("no active signing key")
        # the newest key published for a whole handover, which every gateway has by now; before that (a new
        # platform, or a rotation soon after it) the oldest, which every gateway has had from the start
        seasoned = [row for row in rows if row.created_at <= now - handover]
        signer = seasoned[-1] if seasoned else rows[0]
        self.signing_key = ECKey.import_key(signer.private_jwk)
        self.kids = frozenset(row.kid for row in rows)
        public = [ECKey.import_key(row.private_jwk).as_dict(private=False) for row in rows]
        self.public_keys: dict[str, Any] = {"keys": public}
        self.key_set = KeySet.import_key_set(self.public_keys)  # type: ignore[arg-type]

    @property
    def kid(self) -> str:
        return str(self.signing_key.kid)


class KeyRing:
    """The token keys and the envelope keys, re-read by `refresh()`: what rotates takes effect without restart."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        token_ttl_seconds: int,
        issuer: str,
        handover_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._kept = timedelta(seconds=token_ttl_seconds)
        self._issuer = issuer
        self._handover = timedelta(seconds=handover_seconds)
        self.tokens: PurposeKeys
        self.envelopes: PurposeKeys

    @classmethod
    async def load(
        cls,
        sessionmaker: async_sessionmaker[AsyncSession],
        token_ttl_seconds: int,
        issuer: str,
        *,
        handover_seconds: float = 30.0,
    ) -> "KeyRing":
        """The published keys, creating the first key of each purpose on first start (for `issuer`, the
        gateway's LGSP_ISSUER). `handover_seconds`: how long a new key is published before it signs (at least
        the registry refresh interval)."""
        ring = cls(
            sessionmaker,
            token_ttl_seconds=token_ttl_seconds,
            issuer=issuer,
            handover_seconds=handover_seconds,
        )
        async with sessionmaker() as session:
            await ring._ensure_active(SigningKeyRepository(session))
            await session.commit()
        await ring.refresh()
        return ring

    async def _ensure_active(self, keys: SigningKeyRepository) -> None:
        for purpose in KeyPurpose:
            active = await keys.active(purpose)
            if not active:
                await keys.add(_new_key(self._issuer, purpose))
            elif (
                active[-1].issuer is None
            ):  # a key made before keys recorded their issuer: it adopts this one
                active[-1].issuer = self._issuer
                await keys.add(active[-1])
            elif purpose is KeyPurpose.TOKEN and active[-1].issuer != self._issuer:
                log.warning(
                    "this gateway's issuer (LGSP_ISSUER) is %s but the registry's signing key %s was issued for "
                    "%s: tokens from gateways with the other issuer are refused here, and this gateway's there; "
                    "give every gateway of the platform the same LGSP_ISSUER",
                    self._issuer, active[-1].kid, active[-1].issuer,
                )  # fmt: skip

    async def refresh(self) -> None:
        """Read the published keys again and choose each purpose's signer."""
        now = utcnow()
        async with self._sessionmaker() as session:
            rows = await SigningKeyRepository(session).published(now - self._kept)
        for purpose in KeyPurpose:
            keys = PurposeKeys(
                [row for row in rows if row.purpose == purpose], now=now, handover=self._handover
            )
            setattr(self, "tokens" if purpose is KeyPurpose.TOKEN else "envelopes", keys)

    @staticmethod
    async def rotate(
        session: AsyncSession, issuer: str, purposes: Sequence[KeyPurpose] = tuple(KeyPurpose)
    ) -> list[str]:
        """Retire the active keys of `purposes` and add a new one of each, for `issuer`; returns the new kids."""
        keys = SigningKeyRepository(session)
        now, created = utcnow(), []
        for purpose in purposes:
            for row in await keys.active(purpose):
                row.retired_at = now
                await keys.add(row)
            created.append((await keys.add(_new_key(issuer, purpose))).kid)
        await session.commit()
        return created

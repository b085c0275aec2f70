"""The gateway's signing keys (ES256), persisted in the database so every gateway instance shares them.

JOSE comes from joserfc, the JOSE library of the Authlib project (Authlib's own `authlib.jose` is deprecated
in its favour).
"""

import logging
import secrets
from datetime import timedelta
from typing import Any

from joserfc.jwk import ECKey, KeySet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.oauth.models import SigningKey
from gateway.oauth.repository import SigningKeyRepository
from registry.storage import utcnow

ALGORITHM = "ES256"
log = logging.getLogger("lgsp.gateway")


def _new_key(issuer: str) -> SigningKey:
    kid = f"{utcnow():%Y%m%d}-{secrets.token_hex(4)}"
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True)
    return SigningKey(kid=kid, algorithm=ALGORITHM, private_jwk=key.as_dict(private=True), issuer=issuer)


class KeyRing:
    """The newest active key signs; every published key verifies."""

    def __init__(self, rows: list[SigningKey]) -> None:
        active = [row for row in rows if row.retired_at is None]
        if not active:
            raise RuntimeError("no active signing key")
        self.signing_key = ECKey.import_key(active[-1].private_jwk)
        public = [ECKey.import_key(row.private_jwk).as_dict(private=False) for row in rows]
        self.public_keys: dict[str, Any] = {"keys": public}
        self.key_set = KeySet.import_key_set(self.public_keys)  # type: ignore[arg-type]

    @property
    def kid(self) -> str:
        return str(self.signing_key.kid)

    @classmethod
    async def load(
        cls, sessionmaker: async_sessionmaker[AsyncSession], token_ttl_seconds: int, issuer: str
    ) -> "KeyRing":
        """The published keys, creating the first key on first start (for `issuer`, the gateway's LGSP_ISSUER)."""
        async with sessionmaker() as session:
            keys = SigningKeyRepository(session)
            active = await keys.active()
            if not active:
                await keys.add(_new_key(issuer))
                await session.commit()
            elif (
                active[-1].issuer is None
            ):  # a key made before keys recorded their issuer: this one adopts it
                active[-1].issuer = issuer
                await keys.add(active[-1])
                await session.commit()
            elif active[-1].issuer != issuer:
                log.warning(
                    "this gateway's issuer (LGSP_ISSUER) is %s but the registry's signing key %s was issued for "
                    "%s: tokens from gateways with the other issuer are refused here, and this gateway's there; "
                    "give every gateway of the platform the same LGSP_ISSUER",
                    issuer,
                    active[-1].kid,
                    active[-1].issuer,
                )
            rows = await keys.published(utcnow() - timedelta(seconds=token_ttl_seconds))
            return cls(list(rows))

    @staticmethod
    async def rotate(session: AsyncSession, issuer: str) -> str:
        """Retire the signing key(s) and create a new one for `issuer`; returns the new kid."""
        keys = SigningKeyRepository(session)
        now = utcnow()
        for row in await keys.active():
            row.retired_at = now
            await keys.add(row)
        new = await keys.add(_new_key(issuer))
        await session.commit()
        return new.kid

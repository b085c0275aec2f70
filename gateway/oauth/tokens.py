"""JWT access tokens: issued for client credentials, verified on every call with a cache on the hot path."""

import time
import uuid

from joserfc import jwt
from joserfc.errors import JoseError

from contracts.errors import Unauthorized
from gateway.oauth.keys import ALGORITHM, KeyRing
from registry.auth import Principal

_CACHE_LIMIT = 50_000
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
TOKEN_TYPE = "at+jwt"  # RFC 9068; anything else signed with the gateway's keys (an envelope) is not a token


class TokenService:
    def __init__(self, keyring: KeyRing, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self._claims = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._verified: dict[str, tuple[Principal, float]] = {}

    def issue(self, client_id: str, agency: str, scopes: list[str]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": client_id,
            "client_id": client_id,
            "agency": agency,
            "scope": " ".join(scopes),
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": str(uuid.uuid4()),
        }
        keys = self.keyring.tokens
        header = {"alg": ALGORITHM, "kid": keys.kid, "typ": TOKEN_TYPE}
        return jwt.encode(header, claims, keys.signing_key)

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        now = time.time()
        if cached is not None:
            principal, expires = cached
            if now < expires:
                return principal
            del self._verified[token]
            raise Unauthorized("the access token has expired", headers=_INVALID_TOKEN)
        try:
            decoded = jwt.decode(token, self.keyring.tokens.key_set, algorithms=[ALGORITHM])
            if decoded.header.get("typ") != TOKEN_TYPE:
                raise Unauthorized(
                    f"the access token is not valid: its typ must be {TOKEN_TYPE}", headers=_INVALID_TOKEN
                )
            self._claims.validate(decoded.claims)
        except JoseError as exc:
            raise Unauthorized(
                f"the access token is not valid: {exc.description or exc.error}", headers=_INVALID_TOKEN
            ) from None
        except ValueError:
            raise Unauthorized("the access token is malformed", headers=_INVALID_TOKEN) from None
        claims = decoded.claims
        principal = Principal(
            client_id=str(claims["sub"]),
            agency=str(claims.get("agency", "")),
            scopes=frozenset(str(claims.get("scope", "")).split()),
        )
        if len(self._verified) >= _CACHE_LIMIT:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]))
        return principal

    def forget(self) -> None:
        """Drop cached verifications (after a key rotation or a client being disabled)."""
        self._verified.clear()

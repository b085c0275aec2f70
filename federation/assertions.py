"""Signed JWT client assertions (RFC 7523 §2.2) between the hops of a federated call: each hop authenticates to
the next with a short-lived JWT signed by its federation key, and the next hop believes it only if the verified
federation directory lists the signer, active, with that key. The foundation of calling across the federation."""

from __future__ import annotations

import base64
import heapq
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OKPKey

from contracts.errors import LgspError
from contracts.signing import ALGORITHMS, SigningKey, algorithm_for
from federation.directory import Directory
from federation.errors import NotAMember
from federation.signing import key_set

ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME_SECONDS: Final = 60
MAX_LIFETIME_SECONDS: Final = 300  # an assertion valid for longer is refused: it would be worth stealing
LEEWAY_SECONDS: Final = 5


class AssertionRefused(LgspError):
    name, status, title = "client-assertion-invalid", 401, "Invalid client assertion"


# Every call across carries a fresh assertion (its own jti, refused if seen again), so each hop signs one and
# verifies one per call. As for bus envelopes (contracts/signing.py), the compact serialisation is built and read
# here and only the cryptography left to joserfc's algorithm objects: its JWT path re-validates the header
# registry, converts the claims and re-imports the key each time, which cost more than the signature itself.
_REGISTRY: Final = jws.JWSRegistry(algorithms=list(ALGORITHMS))
_KEY_TYPES: Final = {"ES256": ECKey, "Ed25519": OKPKey}


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=64)
def _header(algorithm: str, kid: str) -> bytes:
    return _b64(orjson.dumps({"alg": algorithm, "kid": kid, "typ": "JWT"}))


@lru_cache(maxsize=64)
def _parse_header(encoded: str) -> tuple[str, str]:
    """(alg, kid) of a protected header that names an accepted algorithm, a kid, and nothing else but typ JWT."""
    header = orjson.loads(_unb64(encoded))
    if (
        not isinstance(header, dict)
        or set(header) - {"alg", "kid", "typ"}
        or header.get("typ", "JWT") != "JWT"
    ):
        raise ValueError("unexpected protected header")
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS or not isinstance(kid, str):
        raise ValueError("the header names no accepted algorithm or no kid")
    return algorithm, kid


def make_assertion(
    key: SigningKey, code: str, audience: str, *, lifetime: int = LIFETIME_SECONDS, now: float | None = None
) -> str:
    """An assertion by the member (or national tier) `code` for the hop at `audience` (its base URL)."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": code, "sub": code, "aud": audience, "iat": issued, "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
    }  # fmt: skip
    algorithm = algorithm_for(key)
    signed = _header(algorithm, key.kid or key.thumbprint()) + b"." + _b64(orjson.dumps(claims))
    return (signed + b"." + _b64(_REGISTRY.get_alg(algorithm).sign(signed, key))).decode()


def _signer(directory: Directory, code: str) -> dict[str, Any]:
    """The party `code` as the directory lists it; refused unless it is there and active."""
    if directory.national.get("code") == code:
        return directory.national
    member = directory.member(code)
    if member is None:
        raise NotAMember(
            f"{code[:40]} is not in the verified federation directory (version {directory.version})"
        )
    if member.get("status") != "active":
        raise NotAMember(f"member {code} is {member.get('status')} in the federation directory")
    return member


@dataclass
class AssertionVerifier:
    """Verifies assertions addressed to this hop (`audience`), each accepted once (its `jti`)."""

    audience: str
    _seen: dict[str, float] = field(default_factory=dict)
    _expiries: list[tuple[float, str]] = field(default_factory=list)  # a heap of (until, jti), as in `_seen`
    # the signers' keys imported once per directory held, not on every call
    _directory: Directory | None = None
    _keys: dict[str, KeySet] = field(default_factory=dict)

    def _key_set(self, directory: Directory, issuer: str, signer: dict[str, Any]) -> KeySet:
        if directory is not self._directory:
            self._directory, self._keys = directory, {}
        found = self._keys.get(issuer)
        if found is None:
            found = self._keys[issuer] = key_set(list(signer.get("keys", [])))
        return found

    def verify(self, token: str, directory: Directory, now: float | None = None) -> str:
        """The code of the member (or the national tier) that signed `token`, if everything holds."""
        moment = time.time() if now is None else now
        try:
            header, payload, signature = token.split(".")
            algorithm, kid = _parse_header(header)
            claims = orjson.loads(_unb64(payload))
            if not isinstance(claims, dict):
                raise ValueError("the claims are not a JSON object")
        except (ValueError, TypeError) as exc:  # orjson's and base64's errors are ValueErrors
            raise AssertionRefused(f"not a JWT: {exc.__class__.__name__}") from None
        issuer = claims.get("iss")
        if not isinstance(issuer, str):
            raise AssertionRefused("the assertion names no issuer")
        signer = _signer(directory, issuer)
        try:
            key = self._key_set(directory, issuer, signer).get_by_kid(kid)
            if not isinstance(key, _KEY_TYPES[algorithm]):
                raise ValueError(f"key {kid} is not a key for {algorithm}")
            valid = _REGISTRY.get_alg(algorithm).verify(
                f"{header}.{payload}".encode(), _unb64(signature), key
            )
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise AssertionRefused(f"not signed by a key of {issuer}: {exc.__class__.__name__}") from None
        if not valid:
            raise AssertionRefused(f"not signed by a key of {issuer}: the signature does not match")
        issued, expires = claims.get("iat"), claims.get("exp")
        if claims.get("sub") != issuer or claims.get("aud") != self.audience:
            raise AssertionRefused(f"the assertion is not {issuer}'s own for {self.audience}")
        if (
            not isinstance(issued, int)
            or not isinstance(expires, int)
            or not isinstance(claims.get("jti"), str)
        ):
            raise AssertionRefused("the assertion lacks iat, exp or jti")
        if expires - issued > MAX_LIFETIME_SECONDS:
            raise AssertionRefused(f"an assertion may live {MAX_LIFETIME_SECONDS} seconds at most")
        if expires + LEEWAY_SECONDS < moment or issued - LEEWAY_SECONDS > moment:
            raise AssertionRefused("the assertion has expired or is not valid yet")
        self._forget(moment)
        if claims["jti"] in self._seen:
            raise AssertionRefused("the assertion was already used")
        self._seen[claims["jti"]] = expires + LEEWAY_SECONDS
        heapq.heappush(self._expiries, (expires + LEEWAY_SECONDS, claims["jti"]))
        return issuer

    def _forget(self, moment: float) -> None:
        """Drop the jtis of assertions expired by now: the soonest first, never a walk over all of them (there
        are as many as calls in the last minute)."""
        while self._expiries and self._expiries[0][0] < moment:
            _, jti = heapq.heappop(self._expiries)
            self._seen.pop(jti, None)

"""Signed JWT client assertions (RFC 7523 §2.2) between the hops of a federated call: each hop authenticates to
the next with a short-lived JWT signed by its federation key, and the next hop believes it only if the verified
federation directory lists the signer, active, with that key. The foundation of calling across the federation."""

from __future__ import annotations

import heapq
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Final

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from contracts.errors import LgspError
from contracts.signing import ALGORITHMS, SigningKey, algorithm_for
from federation.directory import Directory
from federation.errors import NotAMember
from federation.signing import SignatureRefused, key_set, peek

ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME_SECONDS: Final = 60
MAX_LIFETIME_SECONDS: Final = 300  # an assertion valid for longer is refused: it would be worth stealing
LEEWAY_SECONDS: Final = 5


class AssertionRefused(LgspError):
    name, status, title = "client-assertion-invalid", 401, "Invalid client assertion"


def make_assertion(
    key: SigningKey, code: str, audience: str, *, lifetime: int = LIFETIME_SECONDS, now: float | None = None
) -> str:
    """An assertion by the member (or national tier) `code` for the hop at `audience` (its base URL)."""
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": code, "sub": code, "aud": audience, "iat": issued, "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
    }  # fmt: skip
    header = {"alg": algorithm_for(key), "kid": key.kid or key.thumbprint(), "typ": "JWT"}
    return jwt.encode(header, claims, key, algorithms=list(ALGORITHMS))


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
            unverified_claims = peek(token)
        except SignatureRefused as refused:
            raise AssertionRefused(f"not a JWT: {refused.detail}") from None
        issuer = unverified_claims.get("iss")
        if not isinstance(issuer, str):
            raise AssertionRefused("the assertion names no issuer")
        signer = _signer(directory, issuer)
        try:
            found = jwt.decode(token, self._key_set(directory, issuer, signer), algorithms=list(ALGORITHMS))
        except (JoseError, ValueError, TypeError) as exc:
            raise AssertionRefused(f"not signed by a key of {issuer}: {exc.__class__.__name__}") from None
        claims = dict(found.claims)
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

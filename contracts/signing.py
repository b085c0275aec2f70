"""Detached signatures over bus envelopes (JWS, RFC 7515 Appendix F).

Requests: the gateway signs them (`sign_envelope`); the signed bytes are a canonical JSON array of the attributes
a connector acts on and the SHA-256 of the data; the envelope carries only `header..signature` in `ce_signature`.
Connectors verify against the gateway's JWKS: import it once into a `KeySet` and pass that set to every
`verify_envelope` call.

Replies and share acknowledgements: a client of the answering agency signs them (`MessageSigner`) with a key
whose public half is registered in the registry; the gateway verifies them (`verify_message`) before it
believes them. The signature covers the exchange id, the type, subject, time, status and the data's SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, KeySet, OKPKey

from contracts.envelope import Envelope
from contracts.errors import LgspError

ALGORITHMS: Final = ("ES256", "Ed25519")
_REGISTRY: Final = jws.JWSRegistry(algorithms=list(ALGORITHMS))
_KEY_TYPES: Final = {"ES256": ECKey, "Ed25519": OKPKey}
SigningKey = ECKey | OKPKey


class SignatureInvalid(LgspError):
    """A request envelope whose signature is missing, malformed, by an unknown key, or does not match."""

    name, status, title = "signature-invalid", 401, "Invalid envelope signature"


def signing_input(envelope: Envelope) -> bytes:
    """The canonical bytes a signature covers: every field that changes what a connector does."""
    return orjson.dumps(
        [
            envelope.id,
            envelope.type,
            envelope.subject,
            envelope.time,
            envelope.consumer,
            envelope.replyto,
            hashlib.sha256(envelope.data).hexdigest(),
            # only when set, so that envelopes without one (shares, stored outboxes) keep their signatures
            *((envelope.deadline,) if envelope.deadline is not None else ()),
        ]
    )


def message_signing_input(envelope: Envelope) -> bytes:
    """The canonical bytes a reply's or an acknowledgement's signature covers."""
    return orjson.dumps(
        [
            envelope.id,
            envelope.type,
            envelope.subject,
            envelope.time,
            envelope.status,
            hashlib.sha256(envelope.data).hexdigest(),
        ]
    )


def import_signing_key(key: SigningKey | dict[str, Any]) -> SigningKey:
    """A private JWK (dict) as a key object; import once and reuse it for every signature."""
    if isinstance(key, ECKey | OKPKey):
        return key
    imported = JWKRegistry.import_key(key)
    if not isinstance(imported, ECKey | OKPKey):
        raise ValueError(f"a signing key must be EC P-256 or Ed25519, not {imported.key_type}")
    return imported


def algorithm_for(key: SigningKey) -> str:
    curve = key.curve_name
    if isinstance(key, ECKey) and curve == "P-256":
        return "ES256"
    if isinstance(key, OKPKey) and curve == "Ed25519":
        return "Ed25519"
    raise ValueError(f"unsupported signing key curve {curve}; use P-256 (ES256) or Ed25519")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@lru_cache(maxsize=64)
def _protected_header(algorithm: str, kid: str) -> bytes:
    return _b64(orjson.dumps({"alg": algorithm, "kid": kid}))


@lru_cache(maxsize=64)
def _parse_header(encoded: str) -> tuple[str, str]:
    header = orjson.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    if not isinstance(header, dict) or set(header) - {"alg", "kid", "typ"}:
        raise ValueError("unexpected protected header")
    return str(header["alg"]), str(header["kid"])


# Both functions below build and read the compact serialisation (two base64url joins) themselves and leave
# the cryptography to joserfc's algorithm objects: its full JWS path re-validates the header registry and
# re-imports the key on every call, which cost more than the signature itself on the exchange path.


def sign_envelope(envelope: Envelope, key: SigningKey | dict[str, Any], kid: str) -> Envelope:
    """A copy of `envelope` with `signature` set to a detached compact JWS by `key`, identified by `kid`."""
    signing_key = import_signing_key(key)
    algorithm = algorithm_for(signing_key)
    header = _protected_header(algorithm, kid)
    signature = _REGISTRY.get_alg(algorithm).sign(header + b"." + _b64(signing_input(envelope)), signing_key)
    return replace(envelope, signature=f"{header.decode()}..{_b64(signature).decode()}")


def verify_envelope(envelope: Envelope, jwks: KeySet) -> None:
    """Raise `SignatureInvalid` unless `envelope.signature` is a valid signature by a key in `jwks`."""
    _verify(envelope, signing_input, jwks.get_by_kid)


def verify_message(envelope: Envelope, key_for: Callable[[str], Any]) -> str:
    """The kid of the key that signed a reply or acknowledgement; raises `SignatureInvalid` unless
    `envelope.signature` is valid by `key_for(kid)` (which raises `KeyError` for a kid it does not know)."""
    return _verify(envelope, message_signing_input, key_for)


def _verify(envelope: Envelope, signed: Callable[[Envelope], bytes], key_for: Callable[[str], Any]) -> str:
    if not envelope.signature:
        raise SignatureInvalid(f"envelope {envelope.id} is not signed")
    try:
        header, detached, signature = envelope.signature.split(".")
        if detached:
            raise ValueError("the payload must be detached")
        algorithm, kid = _parse_header(header)
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm {algorithm!r} is not accepted")
        key = key_for(kid)
        if not isinstance(key, _KEY_TYPES[algorithm]):
            raise ValueError(f"key {kid} is not a key for {algorithm}")
        message = header.encode() + b"." + _b64(signed(envelope))
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        valid = _REGISTRY.get_alg(algorithm).verify(message, raw, key)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SignatureInvalid(f"envelope {envelope.id[:40]}: {exc.__class__.__name__}: {exc}") from None
    if not valid:
        raise SignatureInvalid(f"envelope {envelope.id[:40]}: the signature does not match")
    return kid


def generate_message_key(algorithm: str = "Ed25519") -> SigningKey:
    """A new private key for signing replies or acknowledgements; its kid is its RFC 7638 thumbprint."""
    key: SigningKey = (
        OKPKey.generate_key("Ed25519", private=True)
        if algorithm == "Ed25519"
        else ECKey.generate_key("P-256", private=True)
    )
    return import_signing_key(key.as_dict(private=True) | {"kid": key.thumbprint()})


def public_jwk(key: SigningKey) -> dict[str, Any]:
    """The public half of `key` as a JWK, with its kid: what the registry keeps."""
    return dict(key.as_dict(private=False)) | {"kid": key.kid or key.thumbprint()}


@dataclass(frozen=True, slots=True)
class MessageSigner:
    """Signs the replies or acknowledgements of one client with its private key (imported once)."""

    key: SigningKey
    kid: str

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> MessageSigner:
        key = import_signing_key(jwk)
        if not key.is_private:
            raise ValueError("the message signing key must be a private JWK")
        return cls(key, key.kid or key.thumbprint())

    @classmethod
    def from_file(cls, path: Path) -> MessageSigner:
        """The private JWK in `path` (written by `lgsp client key generate`); raises ValueError or OSError."""
        document = orjson.loads(path.read_bytes())
        if not isinstance(document, dict):
            raise ValueError(f"{path} does not hold a JWK")
        return cls.from_jwk(document)

    def sign(self, envelope: Envelope) -> Envelope:
        algorithm = algorithm_for(self.key)
        header = _protected_header(algorithm, self.kid)
        message = header + b"." + _b64(message_signing_input(envelope))
        signature = _REGISTRY.get_alg(algorithm).sign(message, self.key)
        return replace(envelope, signature=f"{header.decode()}..{_b64(signature).decode()}")

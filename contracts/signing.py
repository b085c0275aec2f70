"""The gateway's detached signature over a request envelope (JWS, RFC 7515 Appendix F).

The signed bytes are a canonical JSON array of the attributes a connector acts on and the SHA-256 of the data;
the envelope carries only `header..signature` in `ce_signature`. Connectors verify against the gateway's JWKS:
import it once into a `KeySet` and pass that set to every `verify_envelope` call.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Final

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, JWKRegistry, KeySet, OKPKey

from contracts.envelope import Envelope
from contracts.errors import LgspError

ALGORITHMS: Final = ("ES256", "Ed25519")
_REGISTRY: Final = jws.JWSRegistry(algorithms=list(ALGORITHMS))
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


def sign_envelope(envelope: Envelope, key: SigningKey | dict[str, Any], kid: str) -> Envelope:
    """A copy of `envelope` with `signature` set to a detached compact JWS by `key`, identified by `kid`."""
    signing_key = import_signing_key(key)
    protected = {"alg": algorithm_for(signing_key), "kid": kid}
    token = jws.serialize_compact(protected, signing_input(envelope), signing_key, registry=_REGISTRY)
    return replace(envelope, signature=jws.detach_content(token))


def verify_envelope(envelope: Envelope, jwks: KeySet) -> None:
    """Raise `SignatureInvalid` unless `envelope.signature` is a valid signature by a key in `jwks`."""
    if not envelope.signature:
        raise SignatureInvalid(f"envelope {envelope.id} is not signed")
    try:
        jws.deserialize_compact(envelope.signature, jwks, payload=signing_input(envelope), registry=_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise SignatureInvalid(f"envelope {envelope.id}: {exc.__class__.__name__}: {exc}") from None

"""The federation's keys and signed documents: compact JWS (RFC 7515) by ES256 or Ed25519 keys, as
contracts/signing.py uses for the bus.

Every instance has one federation key, made on first use in its data directory (the private half, mode 600):
the national tier signs the directory with it, a member signs its join request and its reports with it. A member
believes a directory only when the national key it pins (LGSP_NATIONAL_KEY_FILE) signed it.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path
from typing import Any, Final

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, KeySet

from contracts.errors import LgspError
from contracts.signing import (
    ALGORITHMS,
    SigningKey,
    algorithm_for,
    generate_message_key,
    import_signing_key,
    public_jwk,
)

DIRECTORY_TYPE: Final = "lgsp-federation-directory+jws"
MESSAGE_TYPE: Final = "lgsp-federation-message+jws"
MAX_TOKEN_CHARS: Final = 2_000_000


class SignatureRefused(LgspError):
    """A federation document whose signature is malformed, by a key not trusted for it, or does not match."""

    name, status, title = "federation-signature-invalid", 401, "Invalid federation signature"


def load_or_create_key(path: Path) -> SigningKey:
    """This instance's federation key; made once (Ed25519), its private half readable by the owner only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = generate_message_key("Ed25519")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process of this instance made it first: use that one
            pass
        else:
            with os.fdopen(descriptor, "wb") as out:
                out.write(orjson.dumps(key.as_dict(private=True) | {"kid": key.kid}))
    document = orjson.loads(path.read_bytes())
    key = import_signing_key(document)
    if not key.is_private:
        raise ValueError(f"{path} holds no private key")
    return key


def public_keys(key: SigningKey) -> list[dict[str, Any]]:
    return [public_jwk(key)]


def key_set(keys: list[dict[str, Any]]) -> KeySet:
    """Public JWKs as a set to verify with: EC P-256 and Ed25519 keys with a kid (others are left out); a key that
    cannot be imported is a ValueError."""
    imported = []
    for jwk in keys:
        if not isinstance(jwk, dict) or jwk.get("kty") not in ("EC", "OKP") or not jwk.get("kid"):
            continue
        public = {name: value for name, value in jwk.items() if name != "d"}
        try:
            imported.append(JWKRegistry.import_key(public))
        except (JoseError, ValueError, TypeError) as exc:
            raise ValueError(f"key {str(jwk.get('kid'))[:40]}: {exc.__class__.__name__}") from None
    return KeySet(imported)


def load_pinned(path: Path) -> KeySet:
    """The national key a member pins: a public JWK or a JWK Set in a file."""
    document = orjson.loads(path.read_bytes())
    keys = document.get("keys") if isinstance(document, dict) and "keys" in document else [document]
    if not isinstance(keys, list) or not keys:
        raise ValueError(f"{path} holds no JWK")
    pinned = key_set([dict(key) for key in keys])
    if not pinned.keys:
        raise ValueError(f"{path} holds no EC P-256 or Ed25519 key with a kid")
    return pinned


def sign(payload: dict[str, Any], key: SigningKey, typ: str = MESSAGE_TYPE) -> str:
    header = {"alg": algorithm_for(key), "kid": key.kid or key.thumbprint(), "typ": typ}
    return jws.serialize_compact(header, orjson.dumps(payload), key, algorithms=list(ALGORITHMS))


def verify(token: str, keys: KeySet, typ: str = MESSAGE_TYPE) -> dict[str, Any]:
    """The payload of `token` if a key of `keys` signed it as a document of type `typ`."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise SignatureRefused("not a compact JWS of an acceptable size")
    try:
        found = jws.deserialize_compact(token, keys, algorithms=list(ALGORITHMS))
        payload = orjson.loads(found.payload)
    except (JoseError, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise SignatureRefused(f"{exc.__class__.__name__}: {str(exc)[:200]}") from None
    if found.protected.get("typ") != typ or not isinstance(payload, dict):
        raise SignatureRefused(f"not a document of type {typ}")
    return payload


def peek(token: str) -> dict[str, Any]:
    """The payload of a compact JWS before it is verified: only to find which keys to verify it with."""
    try:
        part = token.split(".")[1]
        payload = orjson.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, AttributeError, orjson.JSONDecodeError):
        raise SignatureRefused("not a compact JWS") from None
    if not isinstance(payload, dict):
        raise SignatureRefused("the payload is not a JSON object")
    return payload


def fresh(payload: dict[str, Any], seconds: float) -> bool:
    """Whether a signed message's `iat` is within `seconds` of now (a replayed old message is refused)."""
    issued = payload.get("iat")
    return isinstance(issued, int | float) and abs(time.time() - issued) <= seconds

"""The signing keys of a connector process that answers for several agencies: one key per provider agency.

A reply is believed only when a client of the provider agency signed it, so a process serving the services of
many agencies (the sample connectors, a shared provincial adapter) holds one key per agency. The file
(`LGSP_MESSAGE_KEY_FILE`) is either one private JWK, which signs for every agency, or a JWK Set whose keys each
name their agency in an `agency` member:

    {"keys": [{"kty": "OKP", "crv": "Ed25519", "d": "…", "x": "…", "kid": "…", "agency": "H50.07"}, …]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from contracts.addresses import is_agency_code
from contracts.errors import InvalidInput
from contracts.signing import MessageSigner


@dataclass(frozen=True, slots=True)
class MessageKeyring:
    by_agency: Mapping[str, MessageSigner] = field(default_factory=dict)
    default: MessageSigner | None = None  # signs for an agency without a key of its own

    def for_agency(self, agency: str) -> MessageSigner | None:
        return self.by_agency.get(agency, self.default)

    @classmethod
    def from_document(cls, document: object) -> MessageKeyring:
        """A keyring from a private JWK or a JWK Set of them; raises ValueError naming what is wrong."""
        if not isinstance(document, dict):
            raise ValueError("not a JWK or a JWK Set")
        if "keys" not in document:
            return cls(default=MessageSigner.from_jwk(document))
        keys = document["keys"]
        if not isinstance(keys, list) or not keys:
            raise ValueError("'keys' must be a non-empty list of private JWKs")
        by_agency: dict[str, MessageSigner] = {}
        for index, jwk in enumerate(keys):
            agency = jwk.get("agency") if isinstance(jwk, dict) else None
            if not isinstance(agency, str) or not is_agency_code(agency):
                raise ValueError(f"keys[{index}] names no agency code in its 'agency' member")
            if agency in by_agency:
                raise ValueError(f"keys[{index}]: agency {agency} has a key already")
            by_agency[agency] = MessageSigner.from_jwk({k: v for k, v in jwk.items() if k != "agency"})
        return cls(by_agency=by_agency)

    def to_document(self) -> dict[str, Any]:
        """The JWK Set of this keyring's keys (private: write it only where the connector alone reads it)."""
        return {
            "keys": [
                dict(signer.key.as_dict(private=True)) | {"kid": signer.kid, "agency": agency}
                for agency, signer in sorted(self.by_agency.items())
            ]
        }


def load_keyring(path: Path | None) -> MessageKeyring | None:
    """The keyring at `path` (`LGSP_MESSAGE_KEY_FILE`); `InvalidInput` in one line when it is unusable."""
    if path is None:
        return None
    try:
        return MessageKeyring.from_document(orjson.loads(path.read_bytes()))
    except OSError as exc:
        raise InvalidInput(f"cannot read LGSP_MESSAGE_KEY_FILE {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # orjson, joserfc and ValueError: not private signing JWKs
        raise InvalidInput(
            f"LGSP_MESSAGE_KEY_FILE {path} is not a private EC P-256 or Ed25519 JWK or a JWK Set of them: {exc}"
        ) from None

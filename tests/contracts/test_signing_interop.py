"""The envelope signature is a standard detached JWS: joserfc's full JWS path reads ours and we read its."""

import uuid

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, KeySet, OKPKey

from contracts.envelope import EXCHANGE_REQUEST, Envelope, utc_now
from contracts.signing import SignatureInvalid, sign_envelope, signing_input, verify_envelope

ENVELOPE = Envelope(
    id=str(uuid.uuid4()), source="urn:lgsp:gateway:gw1", type=EXCHANGE_REQUEST, subject="H50.20/x/v1",
    data=b'{"ma_xa": "19333"}', time=utc_now(), replyto="lgsp.reply.gw1", consumer="H50.01",
)  # fmt: skip
KEYS = {
    "ES256": ECKey.generate_key("P-256", parameters={"kid": "gw-es"}, private=True),
    "Ed25519": OKPKey.generate_key("Ed25519", parameters={"kid": "gw-ed"}, private=True),
}


def public(key: ECKey | OKPKey) -> KeySet:
    return KeySet.import_key_set({"keys": [key.as_dict(private=False)]})  # type: ignore[list-item]


@pytest.mark.parametrize("algorithm", list(KEYS))
class TestInterop:
    def test_joserfc_verifies_our_signature(self, algorithm: str) -> None:
        key = KEYS[algorithm]
        signed = sign_envelope(ENVELOPE, key, str(key.kid))
        assert signed.signature is not None
        registry = jws.JWSRegistry(algorithms=[algorithm])
        jws.deserialize_compact(
            signed.signature, public(key), payload=signing_input(ENVELOPE), registry=registry
        )

    def test_we_verify_joserfcs_detached_signature(self, algorithm: str) -> None:
        key = KEYS[algorithm]
        registry = jws.JWSRegistry(algorithms=[algorithm])
        token = jws.serialize_compact(
            {"alg": algorithm, "kid": str(key.kid)}, signing_input(ENVELOPE), key, registry=registry
        )
        verify_envelope(
            Envelope(**{**_fields(ENVELOPE), "signature": jws.detach_content(token)}), public(key)
        )

    def test_an_attached_payload_is_refused(self, algorithm: str) -> None:
        key = KEYS[algorithm]
        registry = jws.JWSRegistry(algorithms=[algorithm])
        token = jws.serialize_compact(
            {"alg": algorithm, "kid": str(key.kid)}, signing_input(ENVELOPE), key, registry=registry
        )
        with pytest.raises(SignatureInvalid):
            verify_envelope(Envelope(**{**_fields(ENVELOPE), "signature": token}), public(key))


class TestRefusals:
    def test_the_none_algorithm_is_refused(self) -> None:
        forged = "eyJhbGciOiJub25lIiwia2lkIjoiZ3ctZXMifQ.."  # {"alg":"none","kid":"gw-es"}
        with pytest.raises(SignatureInvalid):
            verify_envelope(Envelope(**{**_fields(ENVELOPE), "signature": forged}), public(KEYS["ES256"]))

    def test_garbage_is_refused_not_crashed_on(self) -> None:
        for garbage in ("", "a.b", "!!!..!!!", "e30..AAAA"):
            with pytest.raises(SignatureInvalid):
                verify_envelope(
                    Envelope(**{**_fields(ENVELOPE), "signature": garbage or "x"}), public(KEYS["ES256"])
                )


def _fields(envelope: Envelope) -> dict[str, object]:
    return {name: getattr(envelope, name) for name in envelope.__slots__}  # type: ignore[attr-defined]

"""The gateway's detached signature over request envelopes, verified against its JWKS."""

from __future__ import annotations

from dataclasses import replace

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, KeySet, OctKey, OKPKey, RSAKey

from contracts.envelope import EXCHANGE_REQUEST, Envelope
from contracts.signing import SignatureInvalid, sign_envelope, signing_input, verify_envelope

REQUEST = Envelope(
    id="0190f3a2-7c1e-7000-8000-000000000001",
    source="urn:lgsp:gateway:gw-1",
    type=EXCHANGE_REQUEST,
    subject="H50.20/tra-cuu-thua-dat/v1",
    data=b'{"parcel_id": "P-1"}',
    time="2025-03-01T08:00:00.000000Z",
    replyto="lgsp.reply.gw-1",
    consumer="H50.1",
)


@pytest.fixture(scope="module", params=["ES256", "Ed25519"])
def key(request: pytest.FixtureRequest) -> ECKey | OKPKey:
    if request.param == "ES256":
        return ECKey.generate_key("P-256", parameters={"kid": "gw-key-1"})
    return OKPKey.generate_key("Ed25519", parameters={"kid": "gw-key-1"})


@pytest.fixture(scope="module")
def jwks(key: ECKey | OKPKey) -> KeySet:
    """What a connector holds: the gateway's published public keys, imported once."""
    other = ECKey.generate_key("P-256", parameters={"kid": "gw-key-0"})
    return KeySet.import_key_set({"keys": [other.as_dict(private=False), key.as_dict(private=False)]})


class TestRoundTrip:
    def test_a_signed_envelope_verifies(self, key: ECKey | OKPKey, jwks: KeySet) -> None:
        signed = sign_envelope(REQUEST, key, "gw-key-1")

        verify_envelope(signed, jwks)

    def test_the_signature_is_detached_and_names_its_key(self, key: ECKey | OKPKey) -> None:
        signed = sign_envelope(REQUEST, key, "gw-key-1")

        assert signed.signature is not None
        header, payload, signature = signed.signature.split(".")
        assert payload == ""
        assert header
        assert signature
        assert replace(signed, signature=None) == REQUEST

    def test_a_private_jwk_dict_signs_too(self, key: ECKey | OKPKey, jwks: KeySet) -> None:
        verify_envelope(sign_envelope(REQUEST, key.as_dict(private=True), "gw-key-1"), jwks)


class TestTampering:
    @pytest.mark.parametrize(
        "change",
        [
            {"data": b'{"parcel_id": "P-2"}'},
            {"subject": "H50.20/tra-cuu-thua-dat/v2"},
            {"consumer": "H50.9"},
            {"replyto": "lgsp.reply.attacker"},
            {"id": "0190f3a2-7c1e-7000-8000-000000000002"},
            {"time": "2025-03-02T08:00:00.000000Z"},
        ],
        ids=lambda change: next(iter(change)),
    )
    def test_a_changed_envelope_is_refused(
        self, key: ECKey | OKPKey, jwks: KeySet, change: dict[str, object]
    ) -> None:
        signed = sign_envelope(REQUEST, key, "gw-key-1")

        with pytest.raises(SignatureInvalid):
            verify_envelope(replace(signed, **change), jwks)  # type: ignore[arg-type]

    def test_a_signature_by_another_key_is_refused(self, jwks: KeySet) -> None:
        stranger = ECKey.generate_key("P-256", parameters={"kid": "gw-key-1"})

        with pytest.raises(SignatureInvalid):
            verify_envelope(sign_envelope(REQUEST, stranger, "gw-key-1"), jwks)

    def test_a_signature_naming_an_unknown_key_is_refused(self, key: ECKey | OKPKey, jwks: KeySet) -> None:
        with pytest.raises(SignatureInvalid):
            verify_envelope(sign_envelope(REQUEST, key, "retired-key"), jwks)

    def test_an_unsigned_envelope_is_refused(self, jwks: KeySet) -> None:
        with pytest.raises(SignatureInvalid, match="not signed"):
            verify_envelope(REQUEST, jwks)

    def test_garbage_is_refused(self, jwks: KeySet) -> None:
        with pytest.raises(SignatureInvalid):
            verify_envelope(replace(REQUEST, signature="not-a-jws"), jwks)

    def test_an_hmac_signature_is_refused_whatever_the_key_set_holds(self) -> None:
        secret = OctKey.import_key("a-shared-secret-long-enough-for-hs256", parameters={"kid": "k"})
        token = jws.serialize_compact({"alg": "HS256", "kid": "k"}, signing_input(REQUEST), secret)
        forged = replace(REQUEST, signature=jws.detach_content(token))

        with pytest.raises(SignatureInvalid):
            verify_envelope(forged, KeySet([secret]))


class TestKeys:
    def test_an_rsa_key_cannot_sign(self) -> None:
        with pytest.raises(ValueError, match="EC P-256 or Ed25519"):
            sign_envelope(REQUEST, RSAKey.generate_key(2048).as_dict(private=True), "rsa")

    def test_another_ec_curve_cannot_sign(self) -> None:
        with pytest.raises(ValueError, match="P-256"):
            sign_envelope(REQUEST, ECKey.generate_key("P-384"), "p384")

"""The envelope over HTTP (CloudEvents binary mode): what the HTTP connector sends, a served connector rebuilds."""

from dataclasses import replace

import pytest
from joserfc.jwk import ECKey, KeySet

from connectors.sdk.http_envelope import envelope_from_http, envelope_to_http_headers
from contracts.envelope import EXCHANGE_REQUEST, Envelope, EnvelopeInvalid, deadline_after, utc_now
from contracts.signing import SignatureInvalid, sign_envelope, verify_envelope

KEY = ECKey.generate_key("P-256", private=True)
JWKS = KeySet.import_key_set({"keys": [KEY.as_dict(private=False) | {"kid": "gw-1"}]})


def request() -> Envelope:
    unsigned = Envelope(
        id="3f1c7a7e-0000-4000-8000-000000000001",
        source="lgsp://H50",
        type=EXCHANGE_REQUEST,
        subject="H50.20/ho-tich/tra-cuu/v1",
        data='{"ho_ten": "Nguyễn Văn A"}'.encode(),
        time=utc_now(),
        replyto="lgsp.replies.gw",
        consumer="H50.10",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        deadline=deadline_after(5),
    )
    return sign_envelope(unsigned, KEY, "gw-1")


class TestRoundTrip:
    def test_the_rebuilt_envelope_is_the_sent_one_and_its_signature_verifies(self) -> None:
        sent = request()
        headers = envelope_to_http_headers(sent)
        assert headers["ce-consumer"] == "H50.10"
        assert headers["x-request-id"] == sent.id
        assert headers["traceparent"] == sent.traceparent
        # header names arrive in any case
        received = envelope_from_http([(name.title(), value) for name, value in headers.items()], sent.data)
        assert received == sent
        verify_envelope(received, JWKS)

    def test_a_value_outside_printable_ascii_travels_percent_encoded(self) -> None:
        sent = replace(request(), subject='H50.20/"địa chính"%')
        headers = envelope_to_http_headers(sent)
        assert headers["ce-subject"].isascii()
        assert '"' not in headers["ce-subject"]
        assert envelope_from_http(headers, sent.data).subject == sent.subject

    def test_a_changed_header_breaks_the_signature(self) -> None:
        headers = envelope_to_http_headers(request()) | {"ce-consumer": "H99"}
        with pytest.raises(SignatureInvalid):
            verify_envelope(envelope_from_http(headers, request().data), JWKS)


class TestNotAnEnvelope:
    @pytest.mark.parametrize(
        ("drop", "message"), [("ce-specversion", "ce-specversion"), ("ce-source", "ce-source")]
    )
    def test_a_missing_required_header_is_refused(self, drop: str, message: str) -> None:
        headers = envelope_to_http_headers(request())
        del headers[drop]
        with pytest.raises(EnvelopeInvalid, match=message):
            envelope_from_http(headers, b"{}")

    def test_a_header_that_is_not_utf8_is_refused(self) -> None:
        headers = envelope_to_http_headers(request()) | {"ce-subject": "%ff"}
        with pytest.raises(EnvelopeInvalid, match="ce-subject"):
            envelope_from_http(headers, b"{}")

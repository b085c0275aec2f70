"""The bus envelope as an HTTP request: CloudEvents 1.0 HTTP binary content mode.

Attributes travel as `ce-*` headers (the Kafka envelope's names, contracts/envelope.py, with a dash), the
content type as `Content-Type`, the trace as W3C `traceparent`, the payload as the body, untouched: a backend
that checks `ce-signature` against the gateway's envelope JWKS rebuilds exactly the envelope the gateway signed.
"""

from collections.abc import Mapping
from typing import Final

from contracts.envelope import SPECVERSION, Envelope, EnvelopeInvalid

# Attribute name → header name (lower case: HTTP header names are case-insensitive).
_HEADERS: Final = (
    ("id", "ce-id"),
    ("source", "ce-source"),
    ("type", "ce-type"),
    ("subject", "ce-subject"),
    ("time", "ce-time"),
    ("replyto", "ce-replyto"),
    ("consumer", "ce-consumer"),
    ("status", "ce-status"),
    ("signature", "ce-signature"),
    ("deadline", "ce-deadline"),
    ("partitionkey", "ce-partitionkey"),
    ("traceparent", "traceparent"),
    ("datacontenttype", "content-type"),
)
_REQUIRED: Final = ("id", "source", "type")


def envelope_to_http_headers(envelope: Envelope) -> dict[str, str]:
    """The envelope's attributes as HTTP request headers (binary content mode); its data is the body."""
    headers = {"ce-specversion": SPECVERSION}
    for attribute, header in _HEADERS:
        value = getattr(envelope, attribute)
        if value is not None:
            headers[header] = value
    return headers


def envelope_from_http(headers: Mapping[str, str], body: bytes) -> Envelope:
    """The envelope an HTTP request in binary content mode carries; raises `EnvelopeInvalid` otherwise."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if (specversion := lowered.get("ce-specversion")) != SPECVERSION:
        raise EnvelopeInvalid(f"ce-specversion is {specversion!r}, expected '{SPECVERSION}'")
    attributes = {attribute: lowered[header] for attribute, header in _HEADERS if header in lowered}
    if missing := [f"ce-{name}" for name in _REQUIRED if name not in attributes]:
        raise EnvelopeInvalid(f"missing required header(s): {', '.join(missing)}")
    content_type = attributes.pop("datacontenttype", None)
    return Envelope(data=body, datacontenttype=content_type, **attributes)

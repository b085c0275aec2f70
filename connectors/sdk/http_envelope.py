"""The bus envelope over HTTP: CloudEvents 1.0 HTTP binary content mode.

The platform's HTTP connector POSTs a request's data as the body and its attributes as `ce-*` headers, named as
on Kafka (`ce_consumer` there is `ce-consumer` here); the signature (`ce-signature`) is the same detached JWS, so
the receiving side rebuilds the envelope with `envelope_from_http` and checks it with `GatewayKeys.verify` (or
`contracts.signing.verify_envelope`) against the gateway's `/.well-known/envelope-jwks.json`.

`X-Request-ID` (the exchange id) and W3C `traceparent` are sent as well, for proxies and tracers that know
nothing of CloudEvents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import quote, unquote

from contracts.envelope import SPECVERSION, Envelope, EnvelopeInvalid

REQUEST_ID_HEADER: Final = "x-request-id"
TRACEPARENT_HEADER: Final = "traceparent"

# Attribute → header, as `contracts.envelope.to_kafka_headers` names them, with `-` for `_` (HTTP binding §3.1.3).
_ATTRIBUTES: Final = (
    "id",
    "source",
    "type",
    "subject",
    "time",
    "replyto",
    "consumer",
    "traceparent",
    "status",
    "signature",
    "deadline",
    "partitionkey",
)
_ATTRIBUTE_OF: Final = {f"ce-{attribute}": attribute for attribute in _ATTRIBUTES}
_REQUIRED: Final = ("id", "source", "type")
# CloudEvents HTTP binding §3.1.3.2: values are percent-encoded outside printable ASCII, and '%' and '"' always.
_SAFE: Final = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '%"')


def envelope_to_http_headers(envelope: Envelope) -> dict[str, str]:
    """The request headers carrying `envelope`'s attributes; the body is `envelope.data`, unchanged."""
    headers = {"ce-specversion": SPECVERSION}
    for attribute in _ATTRIBUTES:
        value = getattr(envelope, attribute)
        if value is not None:
            headers[f"ce-{attribute}"] = quote(value, safe=_SAFE)
    if envelope.datacontenttype is not None:
        headers["content-type"] = envelope.datacontenttype
    headers[REQUEST_ID_HEADER] = quote(envelope.id, safe=_SAFE)
    if envelope.traceparent is not None:
        headers[TRACEPARENT_HEADER] = envelope.traceparent
    return headers


def envelope_from_http(headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes) -> Envelope:
    """The envelope a binary-mode CloudEvents HTTP request carries; raises `EnvelopeInvalid` when it is not one.

    `headers` may be any mapping or (name, value) pairs (Starlette's `request.headers`, httpx's, a dict), with
    names in any case."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    attributes: dict[str, str] = {}
    specversion = content_type = traceparent = None
    for name, value in pairs:
        lowered = name.lower()
        attribute = _ATTRIBUTE_OF.get(lowered)
        if attribute is not None:
            try:
                attributes[attribute] = unquote(value, errors="strict")
            except UnicodeDecodeError:
                raise EnvelopeInvalid(f"header '{lowered}' is not percent-encoded UTF-8") from None
        elif lowered == "ce-specversion":
            specversion = value
        elif lowered == "content-type":
            content_type = value
        elif lowered == TRACEPARENT_HEADER:
            traceparent = value
    if specversion != SPECVERSION:
        raise EnvelopeInvalid(f"ce-specversion is {specversion!r}, expected '{SPECVERSION}'")
    missing = [f"ce-{name}" for name in _REQUIRED if name not in attributes]
    if missing:
        raise EnvelopeInvalid(f"missing required header(s): {', '.join(missing)}")
    if "traceparent" not in attributes and traceparent is not None:
        attributes["traceparent"] = traceparent
    return Envelope(data=body, datacontenttype=content_type, **attributes)

"""Whether a reply or a share acknowledgement on the bus is authentic, checked before anything touches the log.

A reply must be signed by a registered key of a client of the provider agency of the service called; an
acknowledgement by a key of the warehouse's own client (`LGSP_WAREHOUSE_CLIENT_ID`). The signature covers the
exchange id, type, subject, time, status and the data's SHA-256 (`contracts.signing.message_signing_input`).
Keys are read from the `Directory`, held in memory and rebuilt on registry events and the periodic refresh: no
database read per message.

A refused message is dropped, counted in `rejected` (`lgsp_bus_messages_rejected_total{kind,reason}`) and
logged as a warning naming the exchange id and the reason only (no payload, no key material). The exchange it
claims to answer keeps waiting, so the genuine reply, if it comes, still completes it.

On the in-process bus gateway and connectors share one process and nothing outside it can publish, so
signatures are not required there (`required=False`): only the not-pending check applies.
"""

import logging
from collections import Counter

from contracts.envelope import Envelope
from contracts.signing import SignatureInvalid, SigningKey, verify_message
from gateway.exchange.directory import Directory, MessageKey

log = logging.getLogger("lgsp.exchange")

REPLY, ACK = "reply", "ack"
# reasons: why a message was refused
NOT_PENDING = "not-pending"  # no request waits for this exchange id: replayed, late or made up
UNSIGNED = "unsigned"
UNKNOWN_KEY = "unknown-key"  # a kid never registered, withdrawn, or of a disabled client
BAD_SIGNATURE = "bad-signature"  # forged, or altered after signing
WRONG_AGENCY = "wrong-agency"  # signed by a client of another agency than the provider's
WRONG_CLIENT = "wrong-client"  # an acknowledgement not signed by the warehouse's client
WRONG_SUBJECT = "wrong-subject"  # a reply about another address than the request's
MALFORMED = "malformed"


class MessageAuthenticity:
    def __init__(self, directory: Directory, *, required: bool, warehouse_client: str | None) -> None:
        self.directory = directory
        self.required = required
        self.warehouse_client = warehouse_client
        self.rejected: Counter[tuple[str, str]] = Counter()
        """Messages refused, by (kind, reason), since start."""

    def refuse(self, kind: str, reason: str, envelope: Envelope) -> None:
        self.rejected[(kind, reason)] += 1
        log.warning("bus %s %s dropped: %s", kind, envelope.id[:40], reason)

    def _signer(self, envelope: Envelope) -> tuple[MessageKey | None, str | None]:
        """(the key that signed the envelope, None) or (None, why it is refused)."""
        if not envelope.signature:
            return None, UNSIGNED
        keys, found = self.directory.message_keys, []

        def key_for(kid: str) -> SigningKey:
            key = keys[kid]  # KeyError: refused as an unknown key
            found.append(key)
            return key.key

        try:
            verify_message(envelope, key_for)
        except SignatureInvalid:
            return None, BAD_SIGNATURE if found else UNKNOWN_KEY
        return found[0], None

    def reply_refusal(self, request: Envelope, reply: Envelope) -> str | None:
        """Why `reply` to `request` is not to be believed, or None when it is authentic."""
        if not self.required:
            return None
        if reply.subject != request.subject:
            return WRONG_SUBJECT
        signer, refusal = self._signer(reply)
        if signer is None:
            return refusal
        route = self.directory.route_by_subject(request.subject or "")
        if route is None or signer.agency != route.agency:
            return WRONG_AGENCY
        return None

    def ack_refusal(self, ack: Envelope) -> str | None:
        """Why a share acknowledgement is not to be believed, or None when it is authentic."""
        if not self.required:
            return None
        signer, refusal = self._signer(ack)
        if signer is None:
            return refusal
        if signer.client_id != self.warehouse_client:
            return WRONG_CLIENT
        return None

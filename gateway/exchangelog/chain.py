"""The hash chain: each complete record's hash covers its fields, its position and the previous hash."""

import hashlib
from typing import Any

import orjson

CHAIN_FIELDS = (
    "id", "kind", "instance", "seq", "consumer_agency", "client_id", "provider_agency", "address", "database_id",
    "contract_version", "request_id", "trace_id", "received_at", "sent_at", "replied_at", "completed_at", "outcome",
    "http_status", "error_type", "request_size", "response_size", "record_count", "request_sha256",
    "response_sha256", "request_payload", "response_payload", "prev_hash",
)  # fmt: skip
GENESIS = "0" * 64


def record_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of every chained field (`prev_hash` and `seq` included); datetimes as
    orjson writes them (RFC 3339, with their UTC offset), identical for a record written and read back."""
    canonical = {name: fields.get(name) for name in CHAIN_FIELDS}
    if (
        fields.get("role") is not None
    ):  # only a federated hop has one: the hashes of local records stay as they were
        canonical["role"] = fields["role"]
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()

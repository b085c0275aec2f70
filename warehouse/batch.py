"""A share batch as the warehouse applies it: its records by key, the last of a key in the batch winning."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from contracts.addresses import Address
from contracts.errors import InvalidInput

log = logging.getLogger("lgsp.warehouse")

KeyValue = tuple[str, ...]


class BatchInvalid(InvalidInput):
    """A share envelope whose data is not `{"records": [...]}` or whose time is not an RFC 3339 timestamp."""

    name, title = "batch-invalid", "Invalid share batch"


@dataclass(frozen=True, slots=True)
class Batch:
    exchange_id: str
    address: Address
    key: tuple[str, ...]
    """The contract's key properties, in order."""
    version: str | None
    """The contract version the warehouse knows for the address."""
    shared_at: datetime
    records: dict[KeyValue, dict[str, Any]]
    skipped: int = 0


def key_text(value: Any) -> str | None:
    """A key value as the text stored in the key column; None when absent or not a scalar."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()  # numbers and booleans, as JSON writes them


def key_of(item: Any, key: tuple[str, ...]) -> KeyValue | None:
    if not isinstance(item, dict):
        return None
    values = []
    for prop in key:
        text = key_text(item.get(prop))
        if text is None:
            return None
        values.append(text)
    return tuple(values)


def shared_time(time: str | None) -> datetime:
    if not time:
        raise BatchInvalid("the share envelope has no time")
    try:
        parsed = datetime.fromisoformat(time)
    except ValueError:
        raise BatchInvalid(f"the share envelope's time {time!r} is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        raise BatchInvalid(f"the share envelope's time {time!r} has no time zone")
    return parsed.astimezone(UTC)


def parse_batch(
    exchange_id: str,
    address: Address,
    data: bytes,
    *,
    key: tuple[str, ...],
    version: str | None,
    time: str | None,
) -> Batch:
    """The records of `data` by key; a record without its key is skipped with a log line."""
    try:
        body = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BatchInvalid(f"batch {exchange_id} is not JSON") from None
    items = body.get("records") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise BatchInvalid(f'batch {exchange_id} is not {{"records": [...]}}')
    records: dict[KeyValue, dict[str, Any]] = {}
    skipped = 0
    for index, item in enumerate(items):
        values = key_of(item, key)
        if values is None:
            skipped += 1
            log.warning("batch %s (%s): record %d has no key %s; skipped", exchange_id, address, index, key)
            continue
        records[values] = item  # a later record of the same key replaces an earlier one
    return Batch(exchange_id, address, key, version, shared_time(time), records, skipped)

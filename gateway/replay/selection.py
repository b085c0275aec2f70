"""Which recorded exchanges to replay: by address, version, consumer, outcome, time range or ids.

From a running gateway (`GET /api/v1/exchanges`, then each one's detail, with the tester's own token: a client
sees its own agency's exchanges, an admin all) or from a cassette.
"""

import asyncio
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from gateway.replay.recording import RecordedExchange

PAGE = 500
DETAILS_AT_ONCE = 8


class ExchangeApi(Protocol):
    async def get(self, path: str, **params: Any) -> Any: ...


@dataclass(frozen=True)
class Selection:
    address: str | None = None
    version: str | None = None  # exact (1.2.0) or a prefix of whole parts (1, 1.2)
    consumer: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[str, ...] = field(default=())
    limit: int | None = None  # the most recent N
    captured_only: bool = False  # only exchanges whose request was captured (replayable)

    def describe(self) -> dict[str, Any]:
        """The selection as JSON-friendly values (a cassette's header keeps it)."""
        return {
            key: value.isoformat() if isinstance(value, datetime) else list(value) if key == "ids" else value
            for key, value in asdict(self).items()
            if value not in (None, (), False)
        }

    def version_matches(self, version: str | None) -> bool:
        if self.version is None:
            return True
        return version is not None and (version == self.version or version.startswith(self.version + "."))

    def matches(self, exchange: RecordedExchange) -> bool:
        received = _aware(exchange.received_at)
        return (
            (not self.ids or exchange.id in self.ids)
            and (self.address is None or exchange.address == self.address)
            and self.version_matches(exchange.contract_version)
            and (self.consumer is None or exchange.consumer == self.consumer)
            and (self.outcome is None or exchange.outcome == self.outcome)
            and (self.since is None or received >= _aware(self.since))
            and (self.until is None or received < _aware(self.until))
            and (not self.captured_only or exchange.request is not None)
        )

    def pick(self, exchanges: Iterable[RecordedExchange]) -> list[RecordedExchange]:
        """The matching exchanges, at most `limit` of the most recent, oldest first (as they happened)."""
        chosen = sorted(
            (e for e in exchanges if self.matches(e)),
            key=lambda e: (_aware(e.received_at), e.id),
            reverse=True,
        )
        if self.limit is not None:
            chosen = chosen[: self.limit]
        return chosen[::-1]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def select_from_gateway(api: ExchangeApi, selection: Selection) -> list[RecordedExchange]:
    """The selected service exchanges of a gateway's log, with their captured (masked) payloads."""
    if selection.ids:
        ids = list(dict.fromkeys(selection.ids))
    else:
        ids = await _listed_ids(api, selection)
    slots = asyncio.Semaphore(DETAILS_AT_ONCE)

    async def detail(exchange_id: str) -> RecordedExchange | None:
        async with slots:
            found = await api.get(f"/api/v1/exchanges/{exchange_id}")
        return RecordedExchange.from_log(found) if found.get("kind") == "service" else None

    details = await asyncio.gather(*(detail(exchange_id) for exchange_id in ids))
    return selection.pick(d for d in details if d is not None)


async def _listed_ids(api: ExchangeApi, selection: Selection) -> list[str]:
    filters = {
        "kind": "service",
        "address": selection.address,
        "consumer": selection.consumer,
        "outcome": selection.outcome,
        "since": selection.since.isoformat() if selection.since else None,
        "until": selection.until.isoformat() if selection.until else None,
    }
    ids: list[str] = []
    offset = 0
    while True:
        page = await api.get("/api/v1/exchanges", **filters, offset=offset, limit=PAGE)
        items = page["items"]
        ids.extend(
            item["id"]
            for item in items
            if selection.version_matches(item.get("contract_version"))
            and (not selection.captured_only or item.get("captured"))
        )
        offset += len(items)
        if not items or offset >= page["total"] or (selection.limit and len(ids) >= selection.limit):
            return ids[: selection.limit] if selection.limit else ids

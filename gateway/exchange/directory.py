"""What the exchange path reads on every call, held in memory and rebuilt when the registry changes.

Contracts are compiled once per version; grants and clients are looked up by key. A registry event (on this
instance, or from another over the `lgsp.registry` topic) triggers `refresh()`, so a revoked grant or a disabled
client takes effect without a restart. The public keys clients sign bus messages with are held here too, so a
reply is verified without a database read, and a withdrawn key stops verifying at the next refresh.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.document import ContractDocument, Kind
from contracts.maintenance import MaintenanceWindow
from contracts.signing import SigningKey, import_signing_key
from contracts.validation import CompiledContract, compile_contract
from gateway.exchange.fields import field_tree
from registry.contracts.models import ContractStatus, ContractVersion, Endpoint
from registry.grants.models import validity_covers
from registry.snapshot import FormerAddress, SnapshotRepository


@dataclass(frozen=True, slots=True)
class Route:
    address: str
    kind: Kind
    agency: str
    topic: str
    # the address the contract's document names, which the connector (or the warehouse) knows the exchange by:
    # the same as `address` until the endpoint's agency changes and the successor registers its own version
    subject: str
    database_id: int
    version: str
    document: ContractDocument
    contract: CompiledContract
    capture: bool
    notice: dict[str, str]  # Deprecation/Sunset headers when the version is deprecated, else empty
    maintenance: MaintenanceWindow | None = None  # checked against each call's time, so it needs no refresh
    sunset_at: datetime | None = None  # a deprecated version's end: refused from then on


@dataclass(frozen=True, slots=True)
class Alias:
    """A former address (an agency merged, or the database moved), answered by its successor until the sunset."""

    successor: str
    sunset_at: datetime
    notice: dict[str, str]  # Deprecation (RFC 9745), Sunset (RFC 8594) and the successor's Link

    @classmethod
    def of(cls, former: FormerAddress, root: str) -> "Alias":
        link = f'</{root}/{former.successor}>; rel="successor-version"'
        notice = {
            "Deprecation": f"@{int(former.deprecated_at.timestamp())}",
            "Sunset": format_datetime(former.sunset_at.astimezone(UTC), usegmt=True),
            "Link": link,
        }
        return cls(former.successor, former.sunset_at, notice)


@dataclass(frozen=True, slots=True)
class GrantRule:
    grant_id: str
    fields: dict[str, Any] | None  # the allowed fields as a tree (see `fields.field_tree`); None: all
    calls_per_minute: int | None
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None

    def active_at(self, moment: datetime) -> bool:
        return validity_covers(self.valid_from, self.valid_until, self.revoked_at, moment)


@dataclass(frozen=True, slots=True)
class ClientInfo:
    agency: str
    disabled: bool


@dataclass(frozen=True, slots=True)
class MessageKey:
    """A registered public key a client signs replies or acknowledgements with."""

    client_id: str
    agency: str
    key: SigningKey
    jwk: dict[str, Any]


class Directory:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.routes: dict[str, Route] = {}
        self.grants: dict[tuple[str, str], tuple[GrantRule, ...]] = {}
        self.clients: dict[str, ClientInfo] = {}
        self.message_keys: dict[str, MessageKey] = {}
        self.aliases: dict[str, Alias] = {}  # former address: its successor (resolved here, never per call)
        self._compiled: dict[tuple[str, str], CompiledContract] = {}
        self._lock = asyncio.Lock()
        self._dirty = False

    def route(self, address: str) -> Route | None:
        return self.routes.get(address)

    def newer_major(self, address: str) -> str | None:
        """The address of the newest major above `address`'s (agency/service/vN), if one is published."""
        base, _, major = address.rpartition("/v")
        newer = [
            (int(other.rpartition("/v")[2]), other)
            for other in self.routes
            if other.rpartition("/v")[0] == base and other.rpartition("/v")[2].isdigit()
        ]
        best = max(newer, default=None)
        return best[1] if best is not None and major.isdigit() and best[0] > int(major) else None

    def alias(self, address: str) -> Alias | None:
        return self.aliases.get(address)

    def route_by_subject(self, subject: str) -> Route | None:
        """The route an envelope's subject names: its address, or a former one its contract still carries."""
        route = self.routes.get(subject)
        if route is None and (alias := self.aliases.get(subject)) is not None:
            route = self.routes.get(alias.successor)
        return route

    def grant(self, client_id: str, address: str, moment: datetime) -> GrantRule | None:
        for rule in self.grants.get((client_id, address), ()):
            if rule.active_at(moment):
                return rule
        return None

    def is_disabled(self, client_id: str) -> bool:
        info = self.clients.get(client_id)
        return info is None or info.disabled

    async def refresh(self) -> None:
        """Rebuild from the registry; calls that arrive during a rebuild are folded into one more rebuild."""
        if self._lock.locked():
            self._dirty = True
        async with self._lock:
            self._dirty = False
            await self._load()
        if self._dirty:
            await self.refresh()

    async def _load(self) -> None:
        async with self._sessionmaker() as session:
            snapshot = await SnapshotRepository(session).snapshot()
        routes = {}
        compiled: dict[tuple[str, str], CompiledContract] = {}
        for endpoint, version in snapshot.routes:
            route = self._route(endpoint, version)
            routes[route.address] = route
            compiled[(route.address, version.sha256)] = route.contract
        grants: dict[tuple[str, str], list[GrantRule]] = {}
        for grant, address in snapshot.grants:
            rule = GrantRule(
                grant.id,
                field_tree(grant.fields) if grant.fields else None,
                grant.calls_per_minute,
                grant.valid_from,
                grant.valid_until,
                grant.revoked_at,
            )
            grants.setdefault((grant.client_id, address), []).append(rule)
        self.routes = routes
        self.aliases = {
            former.address: Alias.of(
                former, "exchange" if routes[former.successor].kind is Kind.SERVICE else "share"
            )
            for former in snapshot.former
            if former.successor in routes
        }
        self.grants = {key: tuple(rules) for key, rules in grants.items()}
        self.clients = {c.client_id: ClientInfo(c.agency_code, c.disabled) for c in snapshot.clients}
        self._compiled = compiled
        self.message_keys = self._message_keys(snapshot.keys)

    def _message_keys(self, rows: Any) -> dict[str, MessageKey]:
        keys = {}
        for row in rows:
            client = self.clients.get(row.client_id)
            if client is None or client.disabled:
                continue  # a disabled client's messages are not believed either
            known = self.message_keys.get(row.kid)
            if known is not None and known.jwk == row.jwk and known.client_id == row.client_id:
                keys[row.kid] = known  # imported once
                continue
            try:
                key = import_signing_key(dict(row.jwk))
            except Exception:  # the registry checked it when it was registered; never let one stop a refresh
                continue
            keys[row.kid] = MessageKey(row.client_id, client.agency, key, dict(row.jwk))
        return keys

    def _route(self, endpoint: Endpoint, version: ContractVersion) -> Route:
        document = ContractDocument.model_validate(version.document)
        contract = self._compiled.get((endpoint.address, version.sha256)) or compile_contract(document)
        address = document.address
        return Route(
            address=endpoint.address,
            kind=Kind(endpoint.kind),
            agency=endpoint.agency_code,
            topic=address.service_topic if endpoint.kind == Kind.SERVICE else address.share_topic,
            subject=str(address),
            database_id=endpoint.database_id,
            version=version.version,
            document=document,
            contract=contract,
            capture=endpoint.capture_payloads,
            notice=version.notice(),
            maintenance=endpoint.maintenance if endpoint.kind == Kind.SERVICE else None,
            sunset_at=version.sunset_at if version.status == ContractStatus.DEPRECATED else None,
        )

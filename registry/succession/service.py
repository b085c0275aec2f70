"""Reorganisation with succession: agencies merged into a successor, renamed, databases moved, at a stated date.

The registry's current rows take the new structure at once (databases, their endpoints, clients and access
requests pass to the successor; grants follow the clients and endpoints they name). What stood before is kept as
history (`AgencyChange`), which coverage reads to count the old structure at any T before the date, and each
endpoint's former address as an `AddressAlias` the gateway answers until its sunset."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from contracts.errors import Conflict, InvalidInput, NotFound
from registry.agencies.models import Agency
from registry.auth import Principal
from registry.clients.models import ClientRole
from registry.contracts.models import Endpoint
from registry.databases.models import Database
from registry.databases.repository import DatabaseRepository
from registry.events import RegistryEvent
from registry.service import RegistryService
from registry.storage import utcnow
from registry.succession.models import AddressAlias, AgencyChange, ChangeKind
from registry.succession.repository import SuccessionRepository
from registry.succession.schemas import (
    VIETNAM,
    AliasPublic,
    ChangePublic,
    MergeCreate,
    MoveCreate,
    RenameCreate,
    ReorganisationPublic,
    SuccessionPublic,
)

MAX_CHANGES = 500  # one agency's steps listed at most (a province's whole reorganisation is far fewer)


def _when(at: datetime) -> str:
    return at.isoformat()


def _registered_by(agency: Agency, at: datetime) -> None:
    """A merger takes effect once the merged agency exists: not before its registration."""
    registered = agency.created_at if agency.created_at.tzinfo else agency.created_at.replace(tzinfo=UTC)
    if at < registered:
        day = registered.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
        raise InvalidInput(
            f"{agency.code} was registered on {day} (Vietnam time); a merger cannot take effect before that",
            errors=[{"pointer": "/at"}],
        )


class SuccessionService(RegistryService):
    @property
    def repository(self) -> SuccessionRepository:
        return SuccessionRepository(self.session)

    async def history(
        self, agency: str | None = None, kind: ChangeKind | None = None, offset: int = 0, limit: int = 100
    ) -> tuple[list[ReorganisationPublic], int]:
        """The recorded steps, in the order they took effect (public, like the agency list)."""
        changes, total = await self.repository.steps(agency, kind, offset, limit)
        codes = {c.agency_code for c in changes} | {c.successor_code for c in changes if c.successor_code}
        names = await self.repository.names(sorted(codes))
        databases = await self.repository.database_codes_by_id(
            [c.database_id for c in changes if c.database_id]
        )
        return [
            ReorganisationPublic(
                id=change.id or 0,
                kind=change.kind,
                at=change.at,
                agency=change.agency_code,
                agency_name=names.get(change.agency_code, change.agency_code),
                successor=change.successor_code,
                successor_name=names.get(change.successor_code) if change.successor_code else None,
                database=databases.get(change.database_id) if change.database_id else None,
                former_name=change.former_name,
                former_name_en=change.former_name_en,
            )
            for change in changes
        ], total

    async def succession(self, code: str) -> SuccessionPublic:
        found = await self.repository.agencies([code])
        agency = found.get(code)
        if agency is None:
            raise NotFound(f"agency {code} is not registered")
        held_by, seen = agency, {code}
        while held_by.merged_into is not None and held_by.merged_into not in seen:
            seen.add(held_by.merged_into)
            successor = (await self.repository.agencies([held_by.merged_into])).get(held_by.merged_into)
            if successor is None:
                break
            held_by = successor
        changes, _ = await self.history(agency=code, limit=MAX_CHANGES)
        return SuccessionPublic(
            code=agency.code,
            name=agency.name,
            merged_into=agency.merged_into,
            merged_at=agency.merged_at,
            held_by=held_by.code,
            predecessors=list(await self.repository.merged_into(code)),
            changes=changes,
        )

    async def merge(self, data: MergeCreate, principal: Principal) -> ChangePublic:
        principal.require_admin()
        olds = list(dict.fromkeys(data.from_))
        if data.into in olds:
            raise InvalidInput(f"{data.into} cannot be merged into itself", errors=[{"pointer": "/into"}])
        found = await self.repository.agencies([*olds, data.into])
        into = self._current(found, data.into, data.at)
        for code in olds:
            self._current(found, code, data.at)
            _registered_by(found[code], data.at)
            if data.into.startswith(code + "."):
                raise InvalidInput(f"{data.into} lies under {code}; an agency cannot merge into its own unit")
        left = [code for code in await self.repository.units_below(olds) if code not in olds]
        if left:
            raise Conflict(
                f"{', '.join(left)} lie(s) under an agency being merged; merge them in the same request or first"
            )
        databases = await self.repository.databases(olds)
        moved = [f"{d.agency_code}/{d.code}" for d in databases]
        aliases = await self._move(databases, data.into, data.at, data.sunset_days, principal)
        clients = await self.repository.clients(olds)
        demoted = []
        for client in clients:
            client.agency_code = data.into
            if client.role == ClientRole.AGENCY_ADMIN:
                # the merged agency's admins do not become the successor's: its own admins decide who does
                client.role = ClientRole.CONSUMER
                demoted.append(client.client_id)
            self.session.add(client)
        endpoint_ids = [alias.endpoint_id for alias in aliases]
        await self.repository.move_access_requests(olds, endpoint_ids, data.into)
        for code in olds:
            agency = found[code]
            agency.merged_into, agency.merged_at, agency.updated_at = data.into, data.at, utcnow()
            self.session.add(agency)
            await self.repository.add(self._change(ChangeKind.MERGE, data.at, code, data.into, principal))
        into.updated_at = utcnow()
        await self.commit(RegistryEvent("agency.merged", data.into, {"from": olds, "at": _when(data.at)}))
        return ChangePublic(
            kind=ChangeKind.MERGE,
            at=data.at,
            agencies=olds,
            successor=data.into,
            databases=moved,
            clients=[c.client_id for c in clients],
            demoted=demoted,
            aliases=await self._public(aliases),
        )

    async def rename(self, code: str, data: RenameCreate, principal: Principal) -> ChangePublic:
        principal.require_admin()
        found = await self.repository.agencies([code])
        agency = self._current(found, code, data.at)
        change = self._change(ChangeKind.RENAME, data.at, code, None, principal)
        change.former_name, change.former_name_en = agency.name, agency.name_en
        agency.name, agency.name_en, agency.updated_at = data.name, data.name_en, utcnow()
        self.session.add(agency)
        await self.repository.add(change)
        await self.commit(RegistryEvent("agency.renamed", code, {"at": _when(data.at)}))
        return ChangePublic(
            kind=ChangeKind.RENAME,
            at=data.at,
            agencies=[code],
            successor=None,
            databases=[],
            clients=[],
            aliases=[],
        )

    async def move(self, agency: str, code: str, data: MoveCreate, principal: Principal) -> ChangePublic:
        principal.require_admin()
        database = await DatabaseRepository(self.session).find(agency, code)
        if database is None:
            raise NotFound(f"database {agency}/{code} is not registered")
        if data.to == agency:
            raise InvalidInput(
                f"database {agency}/{code} already belongs to {agency}", errors=[{"pointer": "/to"}]
            )
        found = await self.repository.agencies([data.to])
        self._current(found, data.to, data.at)
        aliases = await self._move([database], data.to, data.at, data.sunset_days, principal)
        await self.repository.move_access_requests([], [alias.endpoint_id for alias in aliases], data.to)
        await self.commit(RegistryEvent("database.moved", f"{data.to}/{code}", {"from": agency}))
        return ChangePublic(
            kind=ChangeKind.MOVE,
            at=data.at,
            agencies=[agency],
            successor=data.to,
            databases=[f"{agency}/{code}"],
            clients=[],
            aliases=await self._public(aliases),
        )

    async def _move(
        self, databases: Sequence[Database], into: str, at: datetime, sunset_days: int, principal: Principal
    ) -> list[AddressAlias]:
        """Pass databases and their endpoints to `into`, keeping each endpoint's former address as an alias."""
        taken = await self.repository.database_codes(into)
        clashes = sorted({d.code for d in databases} & taken)
        if clashes:
            raise Conflict(
                f"{into} already has database(s) {', '.join(clashes)}; rename or retire them first"
            )
        endpoints = await self.repository.endpoints([d.id for d in databases if d.id is not None])
        addresses = await self.repository.endpoint_keys(into)
        clashing = sorted(f"{into}/{e.code}/v{e.major}" for e in endpoints if (e.code, e.major) in addresses)
        if clashing:
            raise Conflict(
                f"{', '.join(clashing)} already registered; the moved endpoints would collide with them"
            )
        aliases = []
        for endpoint in endpoints:
            aliases.append(await self._alias(endpoint, at, sunset_days))
            endpoint.agency_code = into
            self.session.add(endpoint)
        for database in databases:
            change = self._change(ChangeKind.MOVE, at, database.agency_code, into, principal)
            change.database_id = database.id
            await self.repository.add(change)
            database.agency_code, database.updated_at = into, utcnow()
            self.session.add(database)
        await self.session.flush()
        return aliases

    async def _alias(self, endpoint: Endpoint, at: datetime, sunset_days: int) -> AddressAlias:
        assert endpoint.id is not None
        alias = await self.repository.alias(endpoint.address) or AddressAlias(
            address=endpoint.address, endpoint_id=endpoint.id, deprecated_at=at, sunset_at=at
        )
        alias.endpoint_id, alias.deprecated_at, alias.sunset_at = (
            endpoint.id,
            at,
            at + timedelta(days=sunset_days),
        )
        self.session.add(alias)
        return alias

    async def _public(self, aliases: Sequence[AddressAlias]) -> list[AliasPublic]:
        endpoints = {e.id: e for e in await self.repository.endpoints_by_id([a.endpoint_id for a in aliases])}
        return [
            AliasPublic(
                address=a.address,
                successor=endpoints[a.endpoint_id].address,
                deprecated_at=a.deprecated_at,
                sunset_at=a.sunset_at,
            )
            for a in aliases
        ]

    @staticmethod
    def _current(found: dict[str, Agency], code: str, at: datetime) -> Agency:
        agency = found.get(code)
        if agency is None:
            raise NotFound(f"agency {code} is not registered")
        if agency.merged_into is not None:
            raise Conflict(
                f"agency {code} was merged into {agency.merged_into} on {_when(agency.merged_at or at)}"
            )
        if at > utcnow():
            raise InvalidInput(
                "a reorganisation is recorded once it has taken effect: 'at' must not be in the future",
                errors=[{"pointer": "/at"}],
            )
        return agency

    @staticmethod
    def _change(
        kind: ChangeKind, at: datetime, agency: str, successor: str | None, principal: Principal
    ) -> AgencyChange:
        return AgencyChange(
            kind=kind, at=at, agency_code=agency, successor_code=successor, recorded_by=principal.client_id
        )

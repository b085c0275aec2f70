"""The rules of access requests: who may ask, who decides, what a decision may change, who sees what."""

import uuid
from datetime import datetime

from contracts.addresses import Address
from contracts.errors import Conflict, InvalidInput, NotFound, UnknownReference
from registry.access.models import AccessRequest, AccessStatus
from registry.access.repository import AccessRequestRepository
from registry.access.schemas import AccessApproval, AccessRefusal, AccessRequestCreate, AccessRequestPublic
from registry.auth import Principal
from registry.clients.repository import ClientRepository
from registry.contracts.models import Endpoint
from registry.contracts.repository import EndpointRepository
from registry.events import RegistryEvent
from registry.grants.schemas import GrantCreate
from registry.grants.service import GrantService
from registry.service import RegistryService
from registry.storage import utcnow


def access_public(request: AccessRequest, endpoint: Endpoint) -> AccessRequestPublic:
    return AccessRequestPublic(
        id=request.id,
        status=request.status,
        client_id=request.client_id,
        consumer_agency=request.consumer_agency,
        provider_agency=request.provider_agency,
        address=endpoint.address,
        kind=endpoint.kind,
        purpose=request.purpose,
        fields=request.fields,
        calls_per_minute=request.calls_per_minute,
        legal_basis=request.legal_basis,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        created_at=request.created_at,
        created_by=request.created_by,
        decided_at=request.decided_at,
        decided_by=request.decided_by,
        decision_reason=request.decision_reason,
        decision_legal_basis=request.decision_legal_basis,
        grant_id=request.grant_id,
    )


def _within(field: str, asked: list[str]) -> bool:
    """A field the request asked for, or a part of one (`/owner/full_name` of `/owner`)."""
    return any(field == whole or field.startswith(whole + "/") for whole in asked)


def granted_terms(request: AccessRequest, approval: AccessApproval, address: str) -> GrantCreate:
    """The grant an approval makes: the request's terms, narrowed where the approval says; never wider."""
    wider: list[dict[str, str]] = []
    fields = request.fields if approval.fields is None else approval.fields
    if approval.fields is not None and request.fields:
        if not approval.fields:
            wider.append({"pointer": "/fields", "message": "every field is more than the fields asked for"})
        for index, field in enumerate(approval.fields):
            if not _within(field, request.fields):
                wider.append({"pointer": f"/fields/{index}", "message": "not among the fields asked for"})
    rate = approval.calls_per_minute or request.calls_per_minute
    if (
        approval.calls_per_minute
        and request.calls_per_minute
        and approval.calls_per_minute > request.calls_per_minute
    ):
        wider.append(
            {"pointer": "/calls_per_minute", "message": f"more than the {request.calls_per_minute} asked for"}
        )
    valid_from = approval.valid_from or request.valid_from
    if approval.valid_from and request.valid_from and approval.valid_from < request.valid_from:
        wider.append({"pointer": "/valid_from", "message": "earlier than the start asked for"})
    valid_until = approval.valid_until or request.valid_until
    if approval.valid_until and request.valid_until and approval.valid_until > request.valid_until:
        wider.append({"pointer": "/valid_until", "message": "later than the end asked for"})
    if wider:
        raise InvalidInput("an approval may narrow the request, not widen it", errors=wider)
    if valid_from and valid_until and valid_until <= valid_from:
        raise InvalidInput(
            "the approved period ends before it starts",
            errors=[{"pointer": "/valid_until", "message": "not after valid_from"}],
        )
    return GrantCreate(
        client_id=request.client_id,
        address=address,
        purpose=request.purpose,
        fields=fields,
        calls_per_minute=rate,
        valid_from=valid_from,
        valid_until=valid_until,
    )


class AccessRequestService(RegistryService):
    @property
    def requests(self) -> AccessRequestRepository:
        return AccessRequestRepository(self.session)

    async def create(self, data: AccessRequestCreate, principal: Principal) -> AccessRequestPublic:
        """A manager of the consumer agency asks, for one of its clients."""
        client = await ClientRepository(self.session).get(data.client_id)
        if client is None:
            raise UnknownReference(f"client {data.client_id} is not registered")
        principal.require_manage(client.agency_code)
        address = Address.parse(data.address)
        endpoint = await EndpointRepository(self.session).find(address.agency, address.code, address.major)
        if endpoint is None:
            raise UnknownReference(f"no service or dataset is registered at {address}")
        await GrantService(self.session).check_fields(endpoint, data.fields)
        request = AccessRequest(
            id=str(uuid.uuid4()),
            client_id=client.client_id,
            consumer_agency=client.agency_code,
            endpoint_id=endpoint.id or 0,
            provider_agency=endpoint.agency_code,
            purpose=data.purpose,
            fields=data.fields,
            calls_per_minute=data.calls_per_minute,
            legal_basis=data.legal_basis,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            created_by=principal.client_id,
        )
        await self.requests.add(request)
        await self.commit(self._event("access.requested", request, endpoint))
        return access_public(request, endpoint)

    async def pending_by_provider(self) -> list[tuple[str, int, datetime]]:
        """For the public dashboard: per provider agency, the requests waiting and the oldest one's time."""
        return await self.requests.pending_by_provider()

    async def pending_for_provider(self, agency: str) -> list[tuple[str, int, datetime]]:
        """For the public dashboard's department page: per address, the requests waiting and the oldest's time."""
        return await self.requests.pending_for_provider(agency)

    async def get(self, request_id: str, principal: Principal) -> AccessRequestPublic:
        return access_public(*await self._find(request_id, principal))

    async def list(
        self,
        principal: Principal,
        *,
        status: AccessStatus | None = None,
        agency: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[list[AccessRequestPublic], int]:
        """Admins see every request; others those where their agency (or one below it) asks or provides."""
        rows, total = await self.requests.with_endpoints(
            status=status,
            agency=agency,
            visible_to=None if principal.is_admin else principal.agency,
            offset=offset,
            limit=limit,
        )
        return [access_public(request, endpoint) for request, endpoint in rows], total

    async def approve(
        self, request_id: str, approval: AccessApproval, principal: Principal
    ) -> AccessRequestPublic:
        """The provider's manager approves: the grant is made and the decision recorded in one transaction."""
        request, endpoint = await self._find(request_id, principal)
        principal.require_manage(request.provider_agency)
        self._require_pending(request, "approved")
        terms = granted_terms(request, approval, endpoint.address)
        grant, _ = await GrantService(self.session).issue(terms, principal)
        self._decide(request, AccessStatus.APPROVED, principal)
        request.grant_id = grant.id
        await self.requests.add(request)
        await self.commit(RegistryEvent("grant.created", grant.client_id, {"address": endpoint.address}))
        await self.events(self._event("access.approved", request, endpoint))
        return access_public(request, endpoint)

    async def refuse(
        self, request_id: str, refusal: AccessRefusal, principal: Principal
    ) -> AccessRequestPublic:
        """The provider's manager refuses, in writing: the reason and its legal basis, which the requester reads."""
        request, endpoint = await self._find(request_id, principal)
        principal.require_manage(request.provider_agency)
        self._require_pending(request, "refused")
        self._decide(request, AccessStatus.REFUSED, principal)
        request.decision_reason = refusal.reason
        request.decision_legal_basis = refusal.legal_basis
        await self.requests.add(request)
        await self.commit(self._event("access.refused", request, endpoint))
        return access_public(request, endpoint)

    async def withdraw(self, request_id: str, principal: Principal) -> AccessRequestPublic:
        """The consumer side takes its request back before it is decided."""
        request, endpoint = await self._find(request_id, principal)
        principal.require_manage(request.consumer_agency)
        self._require_pending(request, "withdrawn")
        self._decide(request, AccessStatus.WITHDRAWN, principal)
        await self.requests.add(request)
        await self.commit(self._event("access.withdrawn", request, endpoint))
        return access_public(request, endpoint)

    async def _find(self, request_id: str, principal: Principal) -> tuple[AccessRequest, Endpoint]:
        """The request, if the principal may see it; otherwise 404, so that its existence is not revealed."""
        request = await self.requests.get(request_id)
        endpoint = await EndpointRepository(self.session).get(request.endpoint_id) if request else None
        if request is None or endpoint is None:
            raise NotFound(f"access request {request_id} does not exist")
        if not (principal.may_see(request.consumer_agency) or principal.may_see(request.provider_agency)):
            raise NotFound(f"access request {request_id} does not exist")
        return request, endpoint

    @staticmethod
    def _require_pending(request: AccessRequest, action: str) -> None:
        if request.status != AccessStatus.PENDING:
            raise Conflict(
                f"access request {request.id} is {request.status}: only a pending one can be {action}"
            )

    @staticmethod
    def _decide(request: AccessRequest, status: AccessStatus, principal: Principal) -> None:
        request.status = status
        request.decided_at = utcnow()
        request.decided_by = principal.client_id

    @staticmethod
    def _event(kind: str, request: AccessRequest, endpoint: Endpoint) -> RegistryEvent:
        return RegistryEvent(kind, request.client_id, {"id": request.id, "address": endpoint.address})

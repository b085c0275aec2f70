"""`GET /api/v1/exchanges`: the exchange log, each client seeing only its own agency's exchanges."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from contracts.errors import NotFound
from gateway.exchangelog.capture import PayloadCipher
from gateway.exchangelog.models import Exchange, ExchangeKind, Outcome
from gateway.exchangelog.repository import ExchangeFilter, ExchangeRepository
from gateway.exchangelog.results import ResultStore
from gateway.exchangelog.schemas import ExchangeDetail, ExchangePublic
from registry.auth import CurrentPrincipal, Principal
from registry.deps import LimitQuery, OffsetQuery, SessionDep
from registry.schemas import Page

router = APIRouter(prefix="/api/v1/exchanges", tags=["exchange log"])


def _public(exchange: Exchange, delivered: datetime | None) -> ExchangePublic:
    view = ExchangePublic.model_validate(exchange)
    view.delivered_at = delivered
    view.captured = exchange.request_payload is not None or exchange.response_payload is not None
    return view


def _visible(exchange: Exchange, principal: Principal) -> bool:
    return principal.is_admin or principal.agency in (exchange.consumer_agency, exchange.provider_agency)


@router.get("", response_model=Page[ExchangePublic])
async def list_exchanges(
    session: SessionDep,
    principal: CurrentPrincipal,
    address: Annotated[str | None, Query(description="service or dataset address, e.g. H50.20/x/v1")] = None,
    consumer: Annotated[str | None, Query(description="consumer agency code")] = None,
    client_id: str | None = None,
    provider: Annotated[str | None, Query(description="provider agency code")] = None,
    outcome: Outcome | None = None,
    kind: ExchangeKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: OffsetQuery = 0,
    limit: LimitQuery = 100,
) -> Page[ExchangePublic]:
    where = ExchangeFilter(
        address=address,
        consumer=consumer,
        client_id=client_id,
        provider=provider,
        outcome=outcome,
        kind=kind,
        since=since,
        until=until,
        visible_to=None if principal.is_admin else principal.agency,
    )
    repository = ExchangeRepository(session)
    rows, total = await repository.search(where, offset, limit)
    delivered = await repository.deliveries([row.id for row in rows if row.kind == ExchangeKind.SHARE])
    return Page(
        items=[_public(row, delivered.get(row.id)) for row in rows], total=total, offset=offset, limit=limit
    )


@router.get("/{exchange_id}", response_model=ExchangeDetail)
async def get_exchange(
    exchange_id: str, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> ExchangeDetail:
    """One exchange; captured payloads (masked) are shown to the agencies that took part."""
    repository = ExchangeRepository(session)
    exchange = await repository.get(exchange_id)
    if exchange is None or not _visible(exchange, principal):
        raise NotFound(f"exchange {exchange_id} is not in the log")
    delivered = (await repository.deliveries([exchange_id])).get(exchange_id)
    detail = ExchangeDetail.model_validate(_public(exchange, delivered).model_dump())
    cipher: PayloadCipher = request.app.state.cipher
    if exchange.request_payload:
        detail.request_payload = cipher.open(exchange.request_payload)
    if exchange.response_payload:
        detail.response_payload = cipher.open(exchange.response_payload)
    if principal.client_id == exchange.client_id:
        detail.result = await ResultStore(request.app.state.sessionmaker, cipher).load(session, exchange_id)
    return detail

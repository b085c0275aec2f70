"""`/api/v1/warehouse/dead-letters`: share batches the warehouse could not store, and re-driving them (admins)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from contracts.errors import NotFound
from gateway.runtime import GatewayRuntime
from registry.auth import CurrentPrincipal
from warehouse.store import WarehouseStore

router = APIRouter(prefix="/api/v1/warehouse", tags=["warehouse"])


class DeadLetterPublic(BaseModel):
    exchange_id: str
    topic: str
    address: str | None
    reason: str
    attempts: int
    failed_at: datetime


class Redriven(BaseModel):
    exchange_id: str
    topic: str
    status: str = "redriven"


async def _store(request: Request) -> tuple[GatewayRuntime, WarehouseStore]:
    runtime: GatewayRuntime = request.app.state.runtime
    return runtime, await runtime.warehouse_store()


@router.get("/dead-letters", response_model=list[DeadLetterPublic])
async def dead_letters(
    request: Request, principal: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DeadLetterPublic]:
    """Batches the warehouse sink gave up storing after its retries, oldest first, with the reason (never the
    records). Admins only."""
    principal.require_admin()
    _, store = await _store(request)
    return [DeadLetterPublic(**letter.public()) for letter in await store.dead_letters.list(limit)]


@router.post("/dead-letters/{exchange_id}/redrive", response_model=Redriven, status_code=202)
async def redrive(
    request: Request, principal: CurrentPrincipal, exchange_id: Annotated[str, Path(max_length=64)]
) -> Redriven:
    """Put the batch back on its topic as the gateway signed it; the sink checks and stores it again (and makes
    it a dead letter again if it still cannot). Admins only."""
    principal.require_admin()
    runtime, store = await _store(request)
    letter = await store.dead_letters.get(exchange_id)
    if letter is None:
        raise NotFound(f"no dead letter for exchange {exchange_id}")
    await runtime.bus.publish(letter.topic, letter.envelope)
    await store.dead_letters.remove(exchange_id)
    return Redriven(exchange_id=exchange_id, topic=letter.topic)

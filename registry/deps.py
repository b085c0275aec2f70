"""FastAPI dependencies shared by the registry routers."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from registry.events import EventSink


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


def get_event_sink(request: Request) -> EventSink:
    sink: EventSink = request.app.state.registry_events
    return sink


SessionDep = Annotated[AsyncSession, Depends(get_session)]
EventsDep = Annotated[EventSink, Depends(get_event_sink)]
OffsetQuery = Annotated[int, Query(ge=0, le=1_000_000)]
LimitQuery = Annotated[int, Query(ge=1, le=500)]

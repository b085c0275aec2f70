"""The base of the registry's services: one session, and events sent once a change is committed."""

from sqlmodel.ext.asyncio.session import AsyncSession

from registry.events import EventSink, RegistryEvent, discard


class RegistryService:
    def __init__(self, session: AsyncSession, events: EventSink = discard) -> None:
        self.session = session
        self.events = events

    async def commit(self, event: RegistryEvent) -> None:
        await self.session.commit()
        await self.events(event)

"""Replies to asynchronous calls, kept encrypted until their consumer fetches them from the exchange log."""

from typing import Any

import orjson
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.exchangelog.capture import PayloadCipher
from gateway.exchangelog.models import ExchangeResult
from gateway.exchangelog.writer import LogUnavailable
from registry.storage import utcnow


class ResultStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], cipher: PayloadCipher) -> None:
        self._sessionmaker = sessionmaker
        self._cipher = cipher

    async def save(self, exchange_id: str, body: bytes) -> None:
        """Keep the reply; a failure is `LogUnavailable`, so the call is closed (and chained) as unavailable
        rather than left pending."""
        try:
            async with self._sessionmaker() as session:
                session.add(
                    ExchangeResult(
                        exchange_id=exchange_id,
                        body=self._cipher.seal(orjson.loads(body)),
                        created_at=utcnow(),
                    )
                )
                await session.commit()
        except (SQLAlchemyError, OSError) as exc:
            raise LogUnavailable(f"the reply could not be kept ({type(exc).__name__})") from None

    async def load(self, session: AsyncSession, exchange_id: str) -> Any:
        result = await session.get(ExchangeResult, exchange_id)
        return None if result is None else self._cipher.open(result.body)

"""Signed messages to the national tier (join requests, publication reports, coverage reports) are accepted once:
each carries a `jti`, kept durably until the message's freshness window ends, so the same message sent again is
refused, also after the national tier restarts. (Hop client assertions keep their own per-process cache.)"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.errors import InvalidInput, LgspError
from federation.models import SeenMessage
from federation.repository import SeenMessageRepository
from registry.storage import utcnow

log = logging.getLogger("lgsp.federation")
MAX_JTI_CHARS = 100


class MessageReplayed(LgspError):
    name, status, title = "federation-message-replayed", 409, "This signed message was received already"


async def accept_once(
    session: AsyncSession, payload: dict[str, Any], kind: str, member: str, window_seconds: float
) -> None:
    """Record the message's jti in the caller's transaction (kept if the caller commits); a jti seen before and
    still within its window is refused. The caller has verified the signature and the freshness (`iat`)."""
    jti = payload.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= MAX_JTI_CHARS:
        raise InvalidInput(
            f"a signed {kind} carries a jti (8 to {MAX_JTI_CHARS} characters): it is accepted once",
            errors=[{"pointer": "/jti", "message": "required"}],
        )
    now = utcnow()
    seen = SeenMessageRepository(session)
    await seen.prune(now)
    # kept until the message could no longer pass the freshness check, whichever side of now its iat lies
    issued = datetime.fromtimestamp(float(payload["iat"]), UTC)
    until = max(issued, now) + timedelta(seconds=window_seconds)
    if await seen.get(jti) is not None:
        _refuse(kind, member)
    try:
        await seen.add(SeenMessage(jti=jti, kind=kind, member_code=member[:35], expires_at=until))
    except IntegrityError:  # the same message arriving twice at once
        await session.rollback()
        _refuse(kind, member)


def _refuse(kind: str, member: str) -> NoReturn:
    log.warning("a %s from %s was sent again: refused as a replay", kind, member[:40])
    raise MessageReplayed(f"this {kind} was received already: each signed message is accepted once")

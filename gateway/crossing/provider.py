"""How a reply cut down to the fields of the provider's grant (gateway/crossing/grants.py) travels back: the
provider marks it (`X-LGSP-Projected`), and the hops after it, which check the reply against the contract again,
accept the members the projection left out (only those: any other violation stands)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Final

from contracts.validation import Violation
from gateway.crossing.http import HopResponse
from gateway.exchange.directory import GrantRule

PROJECTED_HEADER: Final = "X-LGSP-Projected"
# whether the reply the next hop just sent was projected; set and read within one call's task
_projected: ContextVar[bool] = ContextVar("lgsp_reply_projected", default=False)


def provided_headers(grant: GrantRule) -> dict[str, str]:
    return {PROJECTED_HEADER: "1"} if grant.fields is not None else {}


def note_reply(response: HopResponse) -> None:
    _projected.set(PROJECTED_HEADER.lower() in response.headers)


def passed_on_headers() -> dict[str, str]:
    """A projected reply stays marked as it travels back to the origin's caller."""
    return {PROJECTED_HEADER: "1"} if _projected.get() else {}


def tolerated(found: list[Violation]) -> list[Violation]:
    """A projected reply may lack members the contract requires; nothing else is let through."""
    if not _projected.get():
        return found
    return [violation for violation in found if violation.keyword != "required"]

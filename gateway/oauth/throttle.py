"""Failed attempts counted per key (a client id, a source address) in a moving minute, in the gateway's
`RateStore`: this process's memory, or Redis shared by every gateway of the platform.

Only failures are counted, so a client that authenticates correctly keeps its throughput; past the limit an
attempt is refused before any work (no Argon2 verification, no log row). Built on the `limits` package; a moving
window is exact, and these limits are small, so its one timestamp per failure costs little.
"""

import math
import time

from limits import RateLimitItemPerMinute

from gateway.ratestore import RateStore


class FailureThrottle:
    KNOWN_REFUSALS = 10_000  # refused keys remembered here; past it the expired ones are dropped

    def __init__(self, per_minute: int, store: RateStore | None = None, name: str = "failures") -> None:
        # the name keeps throttles apart in a shared store (two may count the same source)
        self.item = RateLimitItemPerMinute(per_minute, namespace=name)
        self._limiter = (store or RateStore()).moving_window()
        # a refused key is refused here, without asking the store, until its wait has passed: in a moving window
        # failures only leave with time, so a flood of refused attempts costs Redis nothing
        self._refused_until: dict[str, float] = {}

    async def retry_after(self, *keys: str) -> int | None:
        """Seconds until an attempt for these keys is allowed again; None if it is allowed now."""
        for key in keys:
            known = self._known_refusal(key)
            if known is not None:
                return known
            if not await self._limiter.test(self.item, key):
                return await self._refuse(key)
        return None

    async def failed(self, *keys: str) -> None:
        for key in keys:
            await self._limiter.hit(self.item, key)

    async def attempt(self, key: str) -> int | None:
        """Count an attempt that fails whatever happens next; the seconds to wait if it is over the limit."""
        known = self._known_refusal(key)
        if known is not None:
            return known
        if await self._limiter.hit(self.item, key):
            return None
        return await self._refuse(key)

    def _known_refusal(self, key: str) -> int | None:
        until = self._refused_until.get(key)
        if until is None:
            return None
        left = until - time.monotonic()
        if left > 0:
            return max(1, math.ceil(left))
        del self._refused_until[key]
        return None

    async def _refuse(self, key: str) -> int:
        wait = await self._limiter.wait(self.item, key)
        now = time.monotonic()
        if len(self._refused_until) >= self.KNOWN_REFUSALS:
            self._refused_until = {k: until for k, until in self._refused_until.items() if until > now}
        self._refused_until[key] = now + wait
        return max(1, math.ceil(wait))

"""Failed attempts counted per key (a client id, a source address) in a moving minute, in the gateway's
`RateStore`: this process's memory, or Redis shared by every gateway of the platform.

Only failures are counted, so a client that authenticates correctly keeps its throughput; past the limit an
attempt is refused before any work (no Argon2 verification, no log row). Built on the `limits` package; a moving
window is exact, and these limits are small, so its one timestamp per failure costs little.
"""

import math

from limits import RateLimitItemPerMinute

from gateway.ratestore import RateStore


class FailureThrottle:
    def __init__(self, per_minute: int, store: RateStore | None = None, name: str = "failures") -> None:
        # the name keeps throttles apart in a shared store (two may count the same source)
        self.item = RateLimitItemPerMinute(per_minute, namespace=name)
        self._limiter = (store or RateStore()).moving_window()

    async def retry_after(self, *keys: str) -> int | None:
        """Seconds until an attempt for these keys is allowed again; None if it is allowed now."""
        for key in keys:
            if not await self._limiter.test(self.item, key):
                return await self._seconds(key)
        return None

    async def failed(self, *keys: str) -> None:
        for key in keys:
            await self._limiter.hit(self.item, key)

    async def attempt(self, key: str) -> int | None:
        """Count an attempt that fails whatever happens next; the seconds to wait if it is over the limit."""
        if await self._limiter.hit(self.item, key):
            return None
        return await self._seconds(key)

    async def _seconds(self, key: str) -> int:
        return max(1, math.ceil(await self._limiter.wait(self.item, key)))

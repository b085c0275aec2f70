"""Each grant's calls per minute, counted in the gateway's `RateStore`: per gateway in memory, or for the whole
platform in Redis.

The window is a sliding window counter (the `limits` package's): two fixed-window counts, the previous one weighted
by how much of it is still inside the last minute. On Redis that is one Lua script, so an admitted call costs one
round trip and a few bytes per grant whatever its rate. A moving window is exact but keeps one timestamp per call
(a grant may allow a million a minute); a fixed window lets through twice the rate across a window's edge.
"""

import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.ratestore import RateStore


class RateLimiter:
    def __init__(self, store: RateStore | None = None) -> None:
        self._limiter = (store or RateStore()).limiters(SlidingWindowCounterRateLimiter)
        self._items: dict[int, RateLimitItem] = {}
        # a refused grant is refused here, with no round trip, until the wait it was told has passed: counts only
        # leave a window with time, so no gateway can admit a call before then
        self._refused_until: dict[tuple[str, int], float] = {}

    async def acquire(self, key: str, per_minute: int) -> float | None:
        """Take one call; None if allowed, else the seconds until the next call would be."""
        refused = (key, per_minute)
        until = self._refused_until.get(refused)
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                return wait
            del self._refused_until[refused]
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute, namespace="grant")
        if await self._limiter.hit(item, key):
            return None
        wait = await self._limiter.wait(item, key)
        self._refused_until[refused] = time.monotonic() + wait
        return wait

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))

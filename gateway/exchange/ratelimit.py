"""Each grant's calls per minute, counted per gateway in memory, or for the whole platform in Redis (`RateStore`).

The window is a sliding window counter: two fixed one-minute windows, the previous one weighted by how much of it
is still inside the last minute. On Redis it is the `limits` package's, one Lua script, so an admitted call costs
one round trip and a few bytes per grant whatever its rate. A moving window is exact but keeps one timestamp per
call (a grant may allow a million a minute); a fixed window lets through twice the rate across a window's edge.
"""

import math
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from gateway.ratestore import RateStore

WINDOW = 60.0


class LocalWindows:
    """The same sliding window counter in this process's memory, O(1) a call.

    Not `limits`' memory storage: it sweeps every key it holds after each hit, a cost that grows with the number
    of grants in use on the hot path."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], tuple[int, int, int]] = {}  # → (window number, previous, current)

    def take(self, key: str, limit: int, now: float) -> float | None:
        """Count one call; None if within the limit, else the seconds until one would be."""
        number, offset = divmod(now, WINDOW)
        seen = self._counts.get((key, limit))
        if seen is None or seen[0] < number - 1:
            previous, current = 0, 0
        elif seen[0] == number - 1:
            previous, current = seen[2], 0
        else:
            previous, current = seen[1], seen[2]
        if math.floor(previous * (1 - offset / WINDOW)) + current < limit:
            self._counts[(key, limit)] = (int(number), previous, current + 1)
            return None
        if previous and current < limit:  # the previous window's weight falls enough within this one
            wait = WINDOW * (1 - (limit - current) / previous) - offset
            if wait < WINDOW - offset:
                return max(wait, 0.0)
        # else in the next window, when this one's count, now the previous, has lost enough weight
        return WINDOW - offset + (max(0.0, WINDOW * (1 - limit / current)) if current else 0.0)


class RateLimiter:
    def __init__(self, store: RateStore | None = None) -> None:
        self.store = store or RateStore()
        self._shared = SlidingWindowCounterRateLimiter(self.store.shared) if self.store.shared else None
        self._local = LocalWindows()
        self._items: dict[int, RateLimitItem] = {}
        # a refused grant is refused here, with no round trip, until the wait it was told has passed: counts only
        # leave a window with time, so no gateway can admit a call before then
        self._refused_until: dict[tuple[str, int], float] = {}

    async def acquire(self, key: str, per_minute: int) -> float | None:
        """Take one call; None if allowed, else the seconds until the next call would be."""
        refused = (key, per_minute)
        until = self._refused_until.get(refused)
        if until is not None:
            left = until - time.monotonic()
            if left > 0:
                return left
            del self._refused_until[refused]

        async def local() -> float | None:
            return self._local.take(key, per_minute, time.time())

        wait = await self.store.run(self._on_redis(key, per_minute), local)
        if wait is not None:
            self._refused_until[refused] = time.monotonic() + wait
        return wait

    def _on_redis(self, key: str, per_minute: int) -> Callable[[], Awaitable[float | None]] | None:
        shared = self._shared
        if shared is None:
            return None
        item = self._items.get(per_minute)
        if item is None:
            item = self._items[per_minute] = RateLimitItemPerMinute(per_minute, namespace="grant")

        async def take() -> float | None:
            if await shared.hit(item, key):
                return None
            return max(0.0, (await shared.get_window_stats(item, key)).reset_time - time.time())

        return take

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))

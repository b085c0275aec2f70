"""Where the gateway's rate limits count (grant rates and the security throttles), through the `limits` package:
this process's memory, the embedded default, or Redis shared by every gateway of a platform
(`LGSP_RATE_LIMIT_STORAGE`), so a limit holds for the platform and not per instance.

While Redis cannot be reached, every limit counts in this process's memory instead: it fails open to per-gateway
limits, as in the embedded default. A Redis outage must not stop the platform (fail-closed would refuse every call
and every token), nor lift the security throttles (fail-open without a count would hand an attacker who can upset
Redis unthrottled guessing). The gateway warns once per outage and tries Redis again every `RETRY_SECONDS`, so
no request waits on a dead Redis after the first.
"""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import coredis
from limits import RateLimitItem, strategies
from limits.aio import strategies as aio_strategies
from limits.aio.storage import RedisStorage
from limits.storage import MemoryStorage

log = logging.getLogger("lgsp.gateway.ratelimit")

T = TypeVar("T")


class RateStore:
    RETRY_SECONDS = 5.0  # how long limits stay in memory after Redis failed, before trying it again
    TIMEOUT_SECONDS = 0.5  # connecting to or waiting on Redis; past it a call counts in memory

    def __init__(self, url: str | None = None) -> None:
        self.memory = MemoryStorage()  # the synchronous one: no task per hit on the event loop
        self.shared: RedisStorage | None = None
        self._pool: coredis.ConnectionPool | None = None
        self._down_until = 0.0  # monotonic time before which Redis is not tried again
        self._down = False
        if url:
            parts = urlsplit(url)
            self.where = f"Redis at {parts.hostname}:{parts.port or 6379}"  # never the password
            # one pool for the process: connections are opened once and reused, not per request
            self._pool = coredis.ConnectionPool.from_url(
                url, connect_timeout=self.TIMEOUT_SECONDS, stream_timeout=self.TIMEOUT_SECONDS
            )
            options = cast(dict[str, Any], {"connection_pool": self._pool})
            self.shared = RedisStorage(f"async+{url}", wrap_exceptions=True, key_prefix="lgsp", **options)
        else:
            self.where = "this process's memory"

    async def start(self) -> None:
        """Say where limits count; a Redis unreachable now is warned about here, not on the first call."""
        if self.shared is None:
            log.info("rate limits count in this process's memory (set LGSP_RATE_LIMIT_STORAGE to share them)")
        elif await self.shared.check():
            log.info("rate limits are shared by every gateway through %s", self.where)
        else:
            self._went_down(ConnectionError("PING failed"))

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.disconnect()

    def moving_window(self) -> "SharedLimiter":
        return SharedLimiter(
            self,
            strategies.MovingWindowRateLimiter(self.memory),
            aio_strategies.MovingWindowRateLimiter(self.shared) if self.shared is not None else None,
        )

    async def run(self, shared: Callable[[], Awaitable[T]] | None, local: Callable[[], Awaitable[T]]) -> T:
        """`shared` on Redis unless it is down, else `local` on this process's memory."""
        if shared is not None and time.monotonic() >= self._down_until:
            if self._down:  # one call tries Redis again; the others meanwhile count in memory
                self._down_until = time.monotonic() + self.RETRY_SECONDS
            try:
                result = await shared()
            except Exception as error:  # whatever Redis does, a call is answered: never a 500 from a limit
                self._went_down(error)
            else:
                if self._down:
                    self._down = False
                    log.warning("%s is back: rate limits are shared by every gateway again", self.where)
                return result
        return await local()

    def _went_down(self, error: Exception) -> None:
        self._down_until = time.monotonic() + self.RETRY_SECONDS
        if not self._down:
            self._down = True
            log.warning(
                "%s is unreachable (%s: %s): rate limits count per gateway until it is back",
                self.where,
                type(error).__name__,
                error,
            )


class SharedLimiter:
    """One `limits` strategy over a `RateStore`: on Redis, or on this process's memory while Redis is down."""

    def __init__(
        self, store: RateStore, local: strategies.RateLimiter, shared: aio_strategies.RateLimiter | None
    ) -> None:
        self.store = store
        self._local = local
        self._shared = shared

    async def hit(self, item: RateLimitItem, key: str) -> bool:
        """Count one call; False (and not counted) if it is over the limit."""
        shared = self._shared

        async def local() -> bool:
            return self._local.hit(item, key)

        return await self.store.run((lambda: shared.hit(item, key)) if shared is not None else None, local)

    async def test(self, item: RateLimitItem, key: str) -> bool:
        """Whether one more call would be within the limit, counting nothing."""
        shared = self._shared

        async def local() -> bool:
            return self._local.test(item, key)

        return await self.store.run((lambda: shared.test(item, key)) if shared is not None else None, local)

    async def wait(self, item: RateLimitItem, key: str) -> float:
        """Seconds until one more call would be within the limit."""
        shared = self._shared

        async def on_redis() -> float:
            assert shared is not None
            return (await shared.get_window_stats(item, key)).reset_time

        async def local() -> float:
            return self._local.get_window_stats(item, key).reset_time

        reset = await self.store.run(on_redis if shared is not None else None, local)
        return max(0.0, reset - time.time())

"""Public figures computed at most once per `seconds` in each process (`LGSP_PUBLIC_CACHE_SECONDS`): anonymous
readers of `/metrics` and `/dashboard` cost one computation per period, not one per request."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from starlette.datastructures import State

T = TypeVar("T")
_KEPT = 64  # distinct keys (query variants) kept; the oldest is dropped past that


class FreshFor:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = asyncio.Lock()

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value for `key` computed less than `seconds` ago, else computed now (once, for concurrent calls)."""
        found = self._fresh(key)
        if found is not None:
            return found[0]
        async with self._lock:
            found = self._fresh(key)
            if found is not None:
                return found[0]
            value = await compute()
            self._values.pop(key, None)
            self._values[key] = (time.monotonic(), value)
            if len(self._values) > _KEPT:
                del self._values[next(iter(self._values))]
            return value

    def _fresh(self, key: Hashable) -> tuple[Any] | None:
        hit = self._values.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.seconds:
            return None
        return (hit[1],)


def public_cache(state: State) -> FreshFor:
    """The app's cache of public figures, made on first use from its settings."""
    if not hasattr(state, "public_cache"):
        state.public_cache = FreshFor(state.settings.public_cache_seconds)
    cache: FreshFor = state.public_cache
    return cache

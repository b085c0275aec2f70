"""Each grant's calls per minute, as a token bucket per grant on this gateway instance."""

import math
import time


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens left, when last refilled)

    def acquire(self, key: str, per_minute: int) -> float | None:
        """Take one call; None if allowed, else the seconds until the next call would be."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - last) * per_minute / 60.0)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            return None
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) * 60.0 / per_minute

    @staticmethod
    def retry_after(seconds: float) -> str:
        return str(max(1, math.ceil(seconds)))

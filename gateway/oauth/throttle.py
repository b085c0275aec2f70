"""Failed attempts counted per key (a client id, a source address) in a moving minute, in this process.

Only failures are counted, so a client that authenticates correctly keeps its throughput; past the limit an
attempt is refused before any work (no Argon2 verification, no log row). Built on the `limits` package.
"""

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class FailureThrottle:
    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until an attempt for these keys is allowed again; None if it is allowed now."""
        for key in keys:
            if not self._limiter.test(self.item, key):
                reset = self._limiter.get_window_stats(self.item, key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._limiter.hit(self.item, key)

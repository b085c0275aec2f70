"""The hand-written parts on the exchange path against the libraries that could replace them.

Run from the repository root: python -m benchmarks.handwritten
(the JSON Pointer comparison needs `pip install jsonpointer`, which the platform does not depend on).

- JSON Pointer (contracts/pointers.py) against the `jsonpointer` package: building a pointer from a path and
  resolving one, microseconds each.
- Grant rates in memory (gateway/exchange/ratelimit.py `LocalWindows`) against `limits`' asyncio memory storage
  with the same sliding window counter, with 10, 1,000 and 10,000 grants in use and the event loop given control
  after each call, as a server's loop is (that is when `limits` runs its sweep of every key).
"""

import asyncio
import time
import timeit
from typing import Any

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from contracts import pointers
from gateway.exchange.ratelimit import LocalWindows

DOCUMENT: dict[str, Any] = {"owner": {"citizen_id": "0123", "names": [{"a/b": 1}, {"a/b": 2}]}}
PATH: list[str | int] = ["owner", "names", 1, "a/b"]
POINTER = "/owner/names/1/a~1b"


def microseconds(call: Any, number: int = 200_000) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def json_pointers() -> None:
    try:
        import jsonpointer  # type: ignore[import-untyped]
    except ImportError:
        print("JSON Pointer: pip install jsonpointer to compare")
        return
    assert pointers.from_path(PATH) == jsonpointer.JsonPointer.from_parts(PATH).path
    assert pointers.resolve(DOCUMENT, POINTER) == jsonpointer.resolve_pointer(DOCUMENT, POINTER)
    build = microseconds(lambda: pointers.from_path(PATH))
    build_library = microseconds(lambda: jsonpointer.JsonPointer.from_parts(PATH).path)
    resolve = microseconds(lambda: pointers.resolve(DOCUMENT, POINTER))
    resolve_library = microseconds(lambda: jsonpointer.resolve_pointer(DOCUMENT, POINTER))
    print(f"JSON Pointer, build:   ours {build:5.2f} µs, jsonpointer {build_library:5.2f} µs")
    print(f"JSON Pointer, resolve: ours {resolve:5.2f} µs, jsonpointer {resolve_library:5.2f} µs")


async def rates(calls: int = 20_000) -> None:
    for grants in (10, 1_000, 10_000):
        keys = [f"grant-{index}" for index in range(grants)]
        item = RateLimitItemPerMinute(10**9, namespace="grant")
        library = SlidingWindowCounterRateLimiter(MemoryStorage())
        local = LocalWindows()
        for key in keys:
            await library.hit(item, key)
            local.take(key, 10**9, time.time())
        started = time.perf_counter()
        for index in range(calls):
            await library.hit(item, keys[index % grants])
            await asyncio.sleep(0)
        with_library = (time.perf_counter() - started) / calls * 1e6
        started = time.perf_counter()
        for index in range(calls):
            local.take(keys[index % grants], 10**9, time.time())
            await asyncio.sleep(0)
        ours = (time.perf_counter() - started) / calls * 1e6
        print(
            f"grant rates, {grants:>6} grants in use: LocalWindows {ours:7.1f} µs a call, "
            f"limits' memory storage {with_library:7.1f} µs a call"
        )


if __name__ == "__main__":
    json_pointers()
    asyncio.run(rates())

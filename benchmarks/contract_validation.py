"""How many exchanges per second one core can validate against a compiled contract.

Run from the repository root: python -m benchmarks.contract_validation
"""

import time
from collections.abc import Callable
from pathlib import Path

from contracts.loading import load_contract
from contracts.validation import compile_contract

FIXTURE = Path(__file__).parent.parent / "tests" / "contracts" / "fixtures" / "tra-cuu-thua-dat-1.0.yaml"


def rate(label: str, call: Callable[[object], object], instance: object, seconds: float = 1.0) -> None:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(1000):
            call(instance)
        count += 1000
    print(f"{label:<40} {count / elapsed:>12,.0f} /s")


def main() -> None:
    doc = load_contract(FIXTURE.read_bytes())
    started = time.perf_counter()
    compiled = compile_contract(doc)
    print(f"{'compile (request + response)':<40} {(time.perf_counter() - started) * 1000:>10.2f} ms")
    example = doc.examples[0]
    rate("valid request", compiled.validate_request, example.request)
    rate("valid response", compiled.validate_response, example.response)
    rate(
        "invalid response (violations collected)",
        compiled.validate_response,
        {**example.response, "area_m2": -1},
    )


if __name__ == "__main__":
    main()

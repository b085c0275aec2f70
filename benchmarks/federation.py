"""A call across the federation next to a direct local call, in the same run: `lgsp federation up --demo` (the
national tier and four provinces, each its own process) and `wrk` loading
(a) Quảng Trị's land-parcel lookup called by Quảng Trị's own consumer at its gateway, and
(b) the same service called by Hậu Giang's consumer at Hậu Giang's gateway: origin → national tier → provider.

Run from the repository root: `python -m benchmarks.federation [--duration 8] [--levels 1,50]`.
Needs `wrk` (Debian: apt-get install wrk). Prints requests/s and p50/p99 per level, and the ratio b/a.
"""

import argparse
import json

from benchmarks.exchange import Figure, wrk
from federation.demo.setup import CROSSING, CROSSING_REQUEST
from tests.federation.demo_process import federation_demo

PROVIDER, ORIGIN = "H50", "H93"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per level")
    parser.add_argument("--levels", default="1,50", help="calls in flight, comma-separated")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    body = json.dumps(CROSSING_REQUEST).encode()
    with federation_demo() as demo:
        runs = {
            "(a) direct, at the provider": (demo.url(PROVIDER), demo.token(PROVIDER)),
            "(b) across the federation": (demo.url(ORIGIN), demo.token(ORIGIN)),
        }
        figures: dict[str, dict[int, Figure]] = {}
        for name, (base, token) in runs.items():
            url = f"{base}/exchange/{CROSSING}"
            wrk(url, 10, 2, token, body)  # warm-up
            figures[name] = {}
            for level in levels:
                figure = figures[name][level] = wrk(url, level, args.duration, token, body)
                print(
                    f"{name} {level:>3} in flight: {figure.rate:,.0f}/s, p50 {figure.p50_ms:.1f} ms, "
                    f"p99 {figure.p99_ms:.1f} ms, {figure.errors} errors",
                    flush=True,
                )
    (direct, across) = figures.values()
    print("\n| in flight | (a) direct | (b) across the federation | b/a |\n|---:|---:|---:|---:|")
    for level in levels:
        a, b = direct[level], across[level]
        print(
            f"| {level} | {a.rate:,.0f}/s, p50 {a.p50_ms:.1f} ms, p99 {a.p99_ms:.1f} ms "
            f"| {b.rate:,.0f}/s, p50 {b.p50_ms:.1f} ms, p99 {b.p99_ms:.1f} ms | {b.rate / a.rate:.2f} |"
        )


if __name__ == "__main__":
    main()

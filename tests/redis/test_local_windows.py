"""The sliding window counter a gateway keeps in memory: the embedded default, and the fallback while Redis is down.

Times are given, not waited for: each call says when it happens."""

import pytest

from gateway.exchange.ratelimit import LocalWindows

START = 6000.0  # the start of a one-minute window


def taken(windows: LocalWindows, limit: int, at: list[float]) -> list[bool]:
    return [windows.take("grant", limit, when) is None for when in at]


class TestLocalWindowsHoldTheRate:
    def test_a_steady_demand_of_twice_the_rate_gets_the_rate_each_minute(self) -> None:
        windows = LocalWindows()
        per_minute = [
            sum(taken(windows, 30, [START + s + k / 2 for k in range(120)])) for s in range(0, 360, 60)
        ]
        assert per_minute == [30] * 6

    def test_the_previous_minute_still_counts_for_the_part_of_it_inside_the_last_minute(self) -> None:
        windows = LocalWindows()
        assert taken(windows, 10, [START + n for n in range(10)]) == [True] * 10
        # half-way through the next window, half of the previous 10 still count: 5 more, not 10
        assert (
            sum(taken(windows, 10, [START + 90 + n / 100 for n in range(10)])) == 6
        )  # 5, and 1 as it decays


class TestLocalWindowsTellTheWait:
    @pytest.mark.parametrize("then", [0.0, 30.0, 58.0])
    def test_a_refused_call_is_admitted_once_its_wait_has_passed_and_not_before(self, then: float) -> None:
        windows = LocalWindows()
        assert all(taken(windows, 10, [START + then] * 10))
        wait = windows.take("grant", 10, START + then + 1)
        assert wait is not None
        refused_at = START + then + 1
        assert windows.take("grant", 10, refused_at + wait - 0.5) is not None
        assert windows.take("grant", 10, refused_at + wait + 0.01) is None

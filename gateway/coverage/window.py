"""The coverage window (T − W, T]: W in whole days ending at a time T, and the Vietnam days holding its edges.

W is at least one day, so its two edges always fall on different days and the rollup rule of DESIGN.md §6 is
exact: the day holding T − W counts if its last exchange is after T − W, the day holding T if its first is at
or before T, and the days between whenever they hold any.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from contracts.errors import InvalidInput
from gateway.exchangelog.rollups import VIETNAM, rollup_day

MAX_WINDOW_DAYS = 366
EARLIEST = datetime(
    2000, 1, 1, tzinfo=UTC
)  # no platform before; dates far earlier cannot be counted back from
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}:?\d{2})$")
_WINDOW = re.compile(r"^\s*(\d{1,4})\s*d?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Window:
    at: datetime
    days: int

    @property
    def start(self) -> datetime:
        return self.at - timedelta(days=self.days)

    @property
    def first_day(self) -> date:
        return rollup_day(self.start)

    @property
    def last_day(self) -> date:
        return rollup_day(self.at)

    @property
    def label(self) -> str:
        return f"{self.days}d"


def invalid_parameter(parameter: str, message: str) -> InvalidInput:
    return InvalidInput(
        f"{parameter}: {message}", errors=[{"parameter": parameter, "in": "query", "message": message}]
    )


def parse_days(text: str | None, default: int, parameter: str = "window") -> int:
    """'30d' or '30' (whole days, 1 to 366); None gives the default."""
    if text is None or not text.strip():
        return default
    match = _WINDOW.match(text)
    if match is None:
        raise invalid_parameter(parameter, f"'{text}' is not a number of days such as 30d")
    days = int(match.group(1))
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise invalid_parameter(parameter, f"must be between 1d and {MAX_WINDOW_DAYS}d, not {days}d")
    return days


def parse_time(text: str, parameter: str) -> datetime:
    """An ISO 8601 time in UTC (a date alone means its start); without an offset it is Vietnam time."""
    # An unencoded '+' in a query string arrives as a space: 12:00:00 07:00 meant 12:00:00+07:00.
    text = _SPACED_OFFSET.sub(r"+\1", text.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        message = f"'{text}' is not an ISO 8601 time such as 2025-12-31T17:00:00+07:00"
        raise invalid_parameter(parameter, message) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(UTC)


def parse_at(text: str | None, now: datetime) -> datetime:
    """T: a time (see `parse_time`) not after now; None gives now."""
    if text is None or not text.strip():
        return now
    moment = parse_time(text, "at")
    if moment < EARLIEST:  # windows, trends and the window before are counted back from T
        raise invalid_parameter(
            "at", f"{moment.isoformat()} is before {EARLIEST.date()}; no coverage to measure"
        )
    if moment > now:
        raise invalid_parameter(
            "at", f"{moment.isoformat()} is in the future; coverage is measured up to now"
        )
    return moment


def day_end(day: date) -> datetime:
    """The moment a Vietnam day ends (midnight starting the next one): the T of that day's trend point."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=VIETNAM).astimezone(UTC)

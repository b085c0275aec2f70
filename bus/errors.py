"""Bus failures a caller can act on: the gateway renders them as 503 and 504 problems."""

from contracts.errors import LgspError


class BusUnavailable(LgspError):
    """The bus cannot take the message now (broker unreachable, bus stopped): retry later."""

    name, status, title = "bus-unavailable", 503, "Event bus unavailable"


class BusTimeout(LgspError):
    """No reply arrived within the time allowed."""

    name, status, title = "timeout", 504, "No reply in time"


class Unconsumed(Exception):
    """Raised by a handler to leave its message unconsumed: never committed, it is taken again. While the member
    runs it retries the message itself after a pause; once the member stops or loses its partitions, the group
    redelivers the message from its last commit (after a restart or a rebalance)."""

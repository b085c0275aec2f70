"""A service's maintenance window: announced by its provider, shown in its specification, enforced by gateways.

Only the window's own times decide whether it is announced, current or over, so a window that ends needs
nobody to clear it.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class MaintenanceWindow:
    starts: datetime
    ends: datetime
    notice: str

    def covers(self, moment: datetime) -> bool:
        """Calls at `moment` are answered 503."""
        return self.starts <= moment < self.ends

    def over(self, moment: datetime) -> bool:
        return moment >= self.ends

    def retry_after(self, moment: datetime) -> int:
        """Whole seconds from `moment` until the window ends, at least 1 (the `Retry-After` value)."""
        return max(1, math.ceil((self.ends - moment).total_seconds()))

    def as_json(self) -> dict[str, Any]:
        return {"from": _iso(self.starts), "until": _iso(self.ends), "notice": self.notice}

    def sentence(self) -> str:
        return (
            f"Under maintenance from {_iso(self.starts)} until {_iso(self.ends)}: calls in that time are "
            f"answered 503 urn:lgsp:error:maintenance with Retry-After. {self.notice}"
        )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

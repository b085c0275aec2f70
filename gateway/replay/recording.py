"""A recorded exchange as replay sees it: what was asked, what came back, from the log or a cassette."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from contracts import pointers
from gateway.exchangelog.capture import MASK


class Answer(BaseModel):
    """An exchange's answer as a consumer sees it: HTTP status, body, and the problem's name when it failed."""

    model_config = ConfigDict(frozen=True)

    status: int
    body: Any = None
    error_type: str | None = None


class RecordedExchange(BaseModel):
    """One service exchange of the log. Payloads are as captured: masked where the contract says sensitive;
    `request`/`response` are None when they were not captured (capture off, or an answer that was an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    address: str
    contract_version: str | None = None
    consumer: str | None = None
    client_id: str | None = None
    outcome: str
    status: int | None = None
    error_type: str | None = None
    request: Any = None
    response: Any = None
    received_at: datetime
    completed_at: datetime | None = None

    @classmethod
    def from_log(cls, detail: dict[str, Any]) -> "RecordedExchange":
        """From `GET /api/v1/exchanges/{id}` (decrypted, masked payloads)."""
        return cls(
            id=detail["id"],
            address=detail["address"],
            contract_version=detail.get("contract_version"),
            consumer=detail.get("consumer_agency"),
            client_id=detail.get("client_id"),
            outcome=detail["outcome"],
            status=detail.get("http_status"),
            error_type=detail.get("error_type"),
            request=detail.get("request_payload"),
            response=detail.get("response_payload"),
            received_at=detail["received_at"],
            completed_at=detail.get("completed_at"),
        )

    @property
    def answer(self) -> Answer:
        return Answer(status=self.status or 0, body=self.response, error_type=self.error_type)

    def masked_request_pointers(self) -> list[str]:
        """Where the recorded request holds the mask (`***`) instead of the value sent."""
        return masked_pointers(self.request)


def masked_pointers(value: Any, pointer: str = "") -> list[str]:
    if value == MASK:
        return [pointer or "/"]
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found: list[str] = []
    for key, item in items:
        found.extend(masked_pointers(item, f"{pointer}/{pointers.escape(key)}"))
    return found

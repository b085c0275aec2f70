"""What a connector answers instead of data: RFC 9457 problems, carried as the data of an error reply.

The gateway answers the consumer 502 for any error reply and passes the problem's `detail` on; the full
problem (type, status hint, errors) is what the connector's own log and a replay diff see.
"""

from typing import Any

import orjson

from contracts.errors import LgspError


class ProviderProblem(Exception):
    """Raised by a handler to report a domain failure (no such parcel, a register offline...).

    `status` is a hint of the HTTP status it would be on its own (404, 409, 503...); `name` becomes the
    problem type `urn:lgsp:error:<name>`.
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        name: str = "provider-problem",
        title: str = "The provider reported a problem",
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.name = name
        self.title = title
        self.errors = errors or []

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:lgsp:error:{self.name}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        return body


class RequestInvalid(LgspError):
    """A request the connector will not hand to its handler: not JSON, against the contract or the model."""

    name, status, title = "request-invalid", 422, "Request does not match the contract"


class ReplyInvalid(LgspError):
    """The handler's answer breaks the response schema; it is reported, never sent as data."""

    name, status, title = "reply-invalid", 502, "The provider's answer does not match the contract"


class ProviderFailed(LgspError):
    """The handler raised an exception (named in the detail; the traceback stays in the connector's log)."""

    name, status, title = "provider-error", 502, "The provider failed"


def problem_bytes(error: LgspError | ProviderProblem, exchange_id: str) -> bytes:
    body = error.problem()
    body["exchange_id"] = exchange_id
    return orjson.dumps(body)

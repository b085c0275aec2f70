"""The platform's error base: every failure a user can act on is an `LgspError`.

The gateway renders one as an RFC 9457 problem (`type` = `urn:lgsp:error:<name>`); the CLI prints its detail
on one line and exits non-zero. Each package subclasses it for its own failures.
"""

from typing import Any, ClassVar


class LgspError(Exception):
    name: ClassVar[str] = "internal"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return f"urn:lgsp:error:{self.name}"

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class InvalidInput(LgspError):
    name, status, title = "invalid-input", 422, "Invalid input"


class NotFound(LgspError):
    name, status, title = "not-found", 404, "Not found"


class Conflict(LgspError):
    name, status, title = "conflict", 409, "Conflict"


class InUse(LgspError):
    name, status, title = "in-use", 409, "Still referenced"


class PayloadTooLarge(LgspError):
    name, status, title = "payload-too-large", 413, "Payload too large"


class UnsupportedMediaType(LgspError):
    name, status, title = "unsupported-media-type", 415, "Unsupported media type"


class Unauthorized(LgspError):
    name, status, title = "unauthorized", 401, "Unauthorized"


class Forbidden(LgspError):
    name, status, title = "forbidden", 403, "Forbidden"


class ContractInvalid(LgspError):
    """A contract document that cannot be accepted; `errors` lists each problem with its JSON Pointer."""

    name, status, title = "contract-invalid", 422, "Invalid contract"


class ContractMalformed(ContractInvalid):
    """A document that cannot even be parsed (not YAML/JSON, not a mapping, nested or aliased absurdly).

    Rendered like any `ContractInvalid`; the CLI tells it apart to exit 2 ("cannot read") rather than 1.
    """


class ContractIncompatible(LgspError):
    """A new minor/patch version that breaks the declared compatibility rule; `errors` lists each change."""

    name, status, title = "contract-incompatible", 409, "Incompatible contract version"


class UnknownReference(LgspError):
    """A reference to something that is not registered (an agency, database, client, service...)."""

    name, status, title = "unknown-reference", 422, "Unknown reference"

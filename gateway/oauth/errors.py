from typing import Any, ClassVar

from contracts.errors import LgspError


class OAuthError(LgspError):
    """An RFC 6749 §5.2 token error; its body carries both the OAuth2 fields and the RFC 9457 ones."""

    error: ClassVar[str] = "invalid_request"
    name, status, title = "oauth-invalid-request", 400, "Invalid token request"

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.detail, **super().problem(instance)}


class InvalidRequest(OAuthError):
    pass


class InvalidClient(OAuthError):
    error = "invalid_client"
    name, status, title = "oauth-invalid-client", 401, "Client authentication failed"


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    name, status, title = "oauth-unsupported-grant-type", 400, "Unsupported grant type"


class InvalidScope(OAuthError):
    error = "invalid_scope"
    name, status, title = "oauth-invalid-scope", 400, "Invalid scope"


class TooManyAttempts(OAuthError):
    """Too many failed attempts for this client id or from this source; Retry-After says when to try again."""

    error = "temporarily_unavailable"
    name, status, title = "oauth-too-many-attempts", 429, "Too many failed attempts"

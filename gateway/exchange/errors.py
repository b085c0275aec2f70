"""The exchange path's failures, each its own problem type; the outcome it is logged under follows its status."""

from contracts.errors import LgspError
from gateway.exchangelog.models import Outcome


class UnknownService(LgspError):
    name, status, title = "unknown-service", 404, "Unknown service or version"


class AddressRetired(LgspError):
    """A former address (its agency merged, or its database moved) after its sunset; names the successor."""

    name, status, title = "address-retired", 410, "Address no longer answered"


class VersionRetired(LgspError):
    """A deprecated contract version after its sunset; names the newer major when there is one."""

    name, status, title = "version-retired", 410, "Contract version no longer answered"


class NoGrant(LgspError):
    name, status, title = "no-grant", 403, "No grant"


class InsufficientScope(LgspError):
    name, status, title = "insufficient-scope", 403, "Insufficient scope"


class RateLimited(LgspError):
    name, status, title = "rate-limited", 429, "Too many calls"


class AnonymousThrottled(RateLimited):
    """Too many unauthenticated calls from one source: answered without a log row, so refusals stay bounded."""

    name = "anonymous-rate-limited"


class MalformedBody(LgspError):
    name, status, title = "malformed-json", 400, "Malformed JSON"


class RequestInvalid(LgspError):
    name, status, title = "request-invalid", 422, "Request does not match the contract"


class ProviderError(LgspError):
    name, status, title = "provider-error", 502, "The provider failed"


class ProviderTimeout(ProviderError):
    """The provider's HTTP backend did not answer within its timeout (`registry/backends`)."""

    name, status, title = "backend-timeout", 504, "The provider's backend did not answer in time"
    backend_type = "urn:lgsp:error:backend-timeout"


class ReplyInvalid(LgspError):
    name, status, title = "reply-invalid", 502, "The provider's reply does not match the contract"


def outcome_for(error: LgspError) -> Outcome:
    if isinstance(error, UnderMaintenance):
        return Outcome.MAINTENANCE
    status = error.status
    if status < 400:
        return Outcome.OK
    if status in (401, 403, 429):
        return Outcome.REJECTED
    if status < 500:
        return Outcome.CLIENT_ERROR
    if status == 504:
        return Outcome.TIMEOUT
    if status == 503:
        return Outcome.UNAVAILABLE
    return Outcome.PROVIDER_ERROR


class UnderMaintenance(LgspError):
    """A call inside the service's announced maintenance window; logged under an outcome of its own."""

    name, status, title = "maintenance", 503, "Service under maintenance"


class RecordsInvalid(LgspError):
    name, status, title = "records-invalid", 422, "Records do not match the dataset contract"

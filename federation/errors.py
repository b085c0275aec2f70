from contracts.errors import LgspError


class NotNationalTier(LgspError):
    name, status, title = "not-national-tier", 404, "Not the national tier"


class NotFederated(LgspError):
    """A member-side action on a platform that has no national tier configured, or is the national tier."""

    name, status, title = "not-federated", 409, "Not a member of a federation"


class NotAMember(LgspError):
    """Refused because the party is not an active member in the verified federation directory."""

    name, status, title = "not-a-member", 403, "Not an active member of the federation"


class NationalUnavailable(LgspError):
    name, status, title = "national-unavailable", 503, "The national tier is unavailable"


class NationalRefused(LgspError):
    """The national tier answered with a problem; its status and detail are passed on."""

    name, status, title = "national-refused", 502, "The national tier refused"

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")]
HeaderValue = Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{0,4000}$")]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
# headers the HTTP connector sets itself: a binding may not override them
RESERVED_PREFIXES = ("ce-",)
RESERVED = {"content-type", "content-length", "host", "x-request-id", "traceparent", "authorization"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoAuth(_Strict):
    type: Literal["none"]


class HeaderAuth(_Strict):
    type: Literal["header"]
    name: HeaderName
    value: Annotated[HeaderValue, StringConstraints(min_length=1)]


class BasicAuth(_Strict):
    type: Literal["basic"]
    username: Annotated[str, StringConstraints(pattern=r"^[^:\x00-\x1f]{1,200}$")]
    password: Secret


class OAuth2Auth(_Strict):
    type: Literal["oauth2"]
    token_url: Annotated[str, Field(max_length=2000)]
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    client_secret: Secret
    scope: Annotated[str, StringConstraints(max_length=1000)] | None = None


Auth = Annotated[NoAuth | HeaderAuth | BasicAuth | OAuth2Auth, Field(discriminator="type")]


class BackendCreate(_Strict):
    url: Annotated[str, Field(max_length=2000, examples=["http://10.0.0.5:8080/api/ho-tich/tra-cuu"])]
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    headers: Annotated[dict[HeaderName, HeaderValue], Field(max_length=20)] = Field(default_factory=dict)
    auth: Auth = Field(default_factory=lambda: NoAuth(type="none"))


class BackendPublic(BaseModel):
    """A binding as shown back: every header value and auth secret only as `"set"`."""

    address: str
    url: str
    timeout_seconds: float
    headers: dict[str, Literal["set"]]
    auth: dict[str, Any]
    updated_at: datetime
    updated_by: str

from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from registry.agencies.schemas import AgencyCode
from registry.clients.models import ClientRole
from registry.schemas import PatchBody

ClientId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency: AgencyCode
    name: Annotated[str, Field(min_length=1, max_length=300)]
    client_id: ClientId | None = None
    role: ClientRole = ClientRole.CONSUMER


class ClientUpdate(PatchBody):
    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    disabled: bool | None = None


class ClientPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    client_id: str
    agency: str = Field(validation_alias=AliasChoices("agency_code", "agency"))
    name: str
    role: ClientRole
    disabled: bool
    created_at: datetime
    secret_rotated_at: datetime


class ClientWithSecret(ClientPublic):
    """Returned once, when a client is created or its secret rotated; the secret is never shown again."""

    client_secret: str


class ClientKeyCreate(BaseModel):
    """The public half of a message signing key (EC P-256 or Ed25519), as a JWK; its kid defaults to its
    RFC 7638 thumbprint."""

    model_config = ConfigDict(extra="forbid")

    jwk: dict[str, Any]


class ClientKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kid: str
    client_id: str
    jwk: dict[str, Any]
    created_at: datetime
    withdrawn_at: datetime | None

"""What a federation grant may limit besides who and what: the fields of the reply and a rate, as a local grant
does. Both apply where the data leaves, at the provider, so only a grant naming a remote client `{member}:{client}`
for a local address carries them; the fields must be properties of that address's reply."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.addresses import Address
from contracts.errors import InvalidInput, UnknownReference
from registry.contracts.repository import EndpointRepository
from registry.grants.service import GrantService


async def check_options(
    session: AsyncSession, client: str, address: Address, fields: Sequence[str], calls_per_minute: int | None
) -> None:
    if not fields and calls_per_minute is None:
        return
    if ":" not in client:
        raise InvalidInput(
            "fields and a rate apply where the data leaves: on the provider's grant to MEMBER:CLIENT_ID",
            errors=[{"pointer": "/client", "message": "a remote client, MEMBER:CLIENT_ID"}],
        )
    endpoint = await EndpointRepository(session).find(address.agency, address.code, address.major)
    if endpoint is None:
        raise UnknownReference(f"no service of this platform is registered at {address}")
    await GrantService(session).check_fields(endpoint, fields)

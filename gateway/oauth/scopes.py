"""What a client may ask for in a token: its role's scope and the addresses it holds grants for, local grants and
federation grants to call out to another member's (or the national tier's) address."""

from sqlmodel.ext.asyncio.session import AsyncSession

from federation.grants import FederationGrantRepository
from registry.auth import ADMIN_SCOPE, MANAGE_SCOPE
from registry.clients.models import Client, ClientRole
from registry.grants.repository import GrantRepository
from registry.storage import utcnow

ROLE_SCOPES = {
    ClientRole.ADMIN: {ADMIN_SCOPE, MANAGE_SCOPE},
    ClientRole.AGENCY_ADMIN: {MANAGE_SCOPE},
    ClientRole.CONSUMER: set[str](),
}


async def allowed_scopes(session: AsyncSession, client: Client) -> set[str]:
    rows, _ = await GrantRepository(session).with_endpoints(client_id=client.client_id)
    now = utcnow()
    granted = {endpoint.address for grant, endpoint in rows if grant.active_at(now)}
    remote = await FederationGrantRepository(session).outbound_addresses(client.client_id)
    return ROLE_SCOPES[ClientRole(client.role)] | granted | remote

"""Start-up duties: the schema, and the bootstrap admin client (DESIGN.md §4)."""

import logging

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.settings import Settings
from migrations import SchemaState, schema_state, upgrade
from registry.agencies.models import Agency, AgencyTier
from registry.agencies.repository import AgencyRepository
from registry.clients.models import ClientRole
from registry.clients.service import ClientService

log = logging.getLogger("lgsp.gateway")
DEMO_ADMIN = ("admin", "admin")


class SchemaBehind(RuntimeError):
    pass


async def prepare_schema(engine: AsyncEngine, *, demo: bool) -> None:
    """Create the schema in an empty database; refuse to run on an old one outside demo mode."""
    state = await schema_state(engine)
    if state is SchemaState.EMPTY or (state is SchemaState.BEHIND and demo):
        await upgrade(engine)
    elif state is SchemaState.BEHIND:
        raise SchemaBehind("the database schema is older than this gateway: run `lgsp db upgrade` first")


def admin_credentials(settings: Settings) -> tuple[str, str] | None:
    if settings.admin_client_id and settings.admin_client_secret:
        return settings.admin_client_id, settings.admin_client_secret.get_secret_value()
    if settings.demo:
        return DEMO_ADMIN
    return None


async def ensure_admin(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> str | None:
    """Make sure the bootstrap admin client exists with the configured secret; returns its id."""
    credentials = admin_credentials(settings)
    if credentials is None:
        log.info("no bootstrap admin: set LGSP_ADMIN_CLIENT_ID and LGSP_ADMIN_CLIENT_SECRET to create one")
        return None
    client_id, secret = credentials
    async with sessionmaker() as session:
        agencies = AgencyRepository(session)
        if await agencies.get(settings.operator_agency) is None:
            await agencies.add(
                Agency(code=settings.operator_agency, name=settings.operator_name, tier=AgencyTier.PROVINCE)
            )
            await session.commit()
        await ClientService(session).ensure(
            client_id, secret, agency=settings.operator_agency, name="Bootstrap admin", role=ClientRole.ADMIN
        )
    if credentials == DEMO_ADMIN and not settings.admin_client_id:
        log.warning(
            "demo mode: the admin client is 'admin' with secret 'admin' (never use this outside a demo)"
        )
    return client_id

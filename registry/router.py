"""The registry's REST API under /api/v1."""

from fastapi import APIRouter

from registry.access.router import router as access
from registry.agencies.router import router as agencies
from registry.backends.router import router as backends
from registry.catalogue.router import router as catalogue
from registry.clients.router import router as clients
from registry.contracts.router import router as contracts
from registry.databases.router import router as databases
from registry.grants.router import router as grants
from registry.succession.router import router as succession

router = APIRouter(prefix="/api/v1")
for part in (succession, agencies, databases, contracts, backends, clients, grants, access, catalogue):
    router.include_router(part)

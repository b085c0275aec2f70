from typing import Any

from fastapi import APIRouter, Request

from contracts.asyncapi import datasets_asyncapi
from contracts.document import Kind
from contracts.openapi import catalogue_openapi
from registry.catalogue.service import CatalogueService
from registry.contracts.router import kafka_bootstrap, server_url
from registry.contracts.schemas import CatalogueEntry
from registry.deps import SessionDep

router = APIRouter(prefix="/catalogue", tags=["catalogue"])


@router.get("", response_model=list[CatalogueEntry])
async def catalogue(session: SessionDep, kind: Kind | None = None) -> list[CatalogueEntry]:
    """Every published service and dataset with its newest version in use."""
    return [entry for entry, _ in await CatalogueService(session).entries(kind)]


@router.get("/openapi.json")
async def catalogue_specification(session: SessionDep, request: Request) -> dict[str, Any]:
    """One OpenAPI 3.1 document for calling every published service through the gateway."""
    published = await CatalogueService(session).published(Kind.SERVICE)
    return catalogue_openapi(
        [document for _, document, _ in published],
        server_url=server_url(request),
        maintenance={entry.address: window for entry, _, window in published if window is not None},
    )


@router.get("/asyncapi.json")
async def catalogue_datasets(session: SessionDep, request: Request) -> dict[str, Any]:
    """One AsyncAPI 3 document for every published dataset."""
    documents = [document for _, document in await CatalogueService(session).entries(Kind.DATASET)]
    return datasets_asyncapi(
        documents, server_url=server_url(request), kafka_bootstrap=kafka_bootstrap(request)
    )

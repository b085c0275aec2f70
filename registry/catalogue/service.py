"""The published catalogue: services and datasets with a version in use (what may be asked for under Decree
194/2025/NĐ-CP Art. 16; once Decree 47/2020 Art. 24-26, repealed; see docs/legal.md)."""

from contracts.document import ContractDocument, Kind
from contracts.maintenance import MaintenanceWindow
from registry.catalogue.repository import CatalogueRepository
from registry.contracts.repository import ContractVersionRepository
from registry.contracts.schemas import CatalogueEntry, MaintenancePublic
from registry.service import RegistryService
from registry.storage import utcnow


class CatalogueService(RegistryService):
    async def entries(self, kind: Kind | None = None) -> list[tuple[CatalogueEntry, ContractDocument]]:
        return [(entry, document) for entry, document, _ in await self.published(kind)]

    async def published(
        self, kind: Kind | None = None
    ) -> list[tuple[CatalogueEntry, ContractDocument, MaintenanceWindow | None]]:
        """Each entry with its contract document and its maintenance window while announced or current."""
        now = utcnow()
        rows = await CatalogueRepository(self.session).endpoints_with_owners(kind)
        latest = await ContractVersionRepository(self.session).latest_by_endpoint(
            [row[0].id for row in rows if row[0].id is not None]
        )
        entries = []
        for endpoint, agency_name, database_code, database_name in rows:
            version = latest.get(endpoint.id or 0)
            if version is None:
                continue
            document = ContractDocument.model_validate(version.document)
            collection, spec = (
                ("services", "openapi") if endpoint.kind == Kind.SERVICE else ("datasets", "asyncapi")
            )
            window = endpoint.maintenance_shown(now)
            entry = CatalogueEntry(
                address=endpoint.address,
                kind=endpoint.kind,
                provider=endpoint.agency_code,
                provider_name=agency_name,
                database=database_code,
                database_name=database_name,
                title=document.title,
                description=document.description,
                classification=document.classification,
                version=version.version,
                status=version.status,
                specification=f"/api/v1/{collection}/{endpoint.agency_code}/{endpoint.code}/v{endpoint.major}/"
                f"{spec}.json",
                maintenance=MaintenancePublic.of(window),
            )
            entries.append((entry, document, window))
        return entries

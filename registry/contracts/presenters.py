"""Turning endpoints and versions into the API's shapes."""

from registry.contracts.models import ContractVersion, Endpoint
from registry.contracts.schemas import ContractPublic, EndpointPublic, MaintenancePublic, VersionSummary
from registry.storage import utcnow


def contract_public(endpoint: Endpoint, version: ContractVersion) -> ContractPublic:
    return ContractPublic(
        address=endpoint.address,
        kind=endpoint.kind,
        provider=endpoint.agency_code,
        database=version.document["database"],
        code=endpoint.code,
        major=endpoint.major,
        version=version.version,
        title=version.title,
        classification=version.classification,
        compatibility=version.compatibility,
        status=version.status,
        sha256=version.sha256,
        created_at=version.created_at,
        created_by=version.created_by,
        deprecated_at=version.deprecated_at,
        sunset_at=version.sunset_at,
        maintenance=MaintenancePublic.of(endpoint.maintenance_shown(utcnow())),
        document=version.document,
    )


def endpoint_public(endpoint: Endpoint, versions: list[ContractVersion]) -> EndpointPublic:
    usable = [v for v in versions if v.status != "withdrawn"]
    return EndpointPublic(
        address=endpoint.address,
        kind=endpoint.kind,
        provider=endpoint.agency_code,
        code=endpoint.code,
        major=endpoint.major,
        database=versions[-1].document["database"] if versions else "",
        capture_payloads=endpoint.capture_payloads,
        maintenance=MaintenancePublic.of(endpoint.maintenance_shown(utcnow())),
        latest_version=usable[-1].version if usable else None,
        versions=[
            VersionSummary(version=v.version, title=v.title, status=v.status, created_at=v.created_at)
            for v in versions
        ],
    )

from collections.abc import Sequence

from sqlmodel import col, select

from registry.backends.models import ServiceBackend
from registry.contracts.models import Endpoint
from registry.repository import Repository


class BackendRepository(Repository[ServiceBackend]):
    model = ServiceBackend

    async def with_endpoints(self) -> Sequence[tuple[ServiceBackend, Endpoint]]:
        """Every binding with its endpoint (what the HTTP connector serves)."""
        statement = select(ServiceBackend, Endpoint).join(
            Endpoint, col(ServiceBackend.endpoint_id) == col(Endpoint.id)
        )
        return (await self.session.exec(statement)).all()

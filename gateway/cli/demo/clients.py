"""The demo's clients and grants: consumer applications calling services, and the departments' connectors."""

import os
import secrets
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from contracts.document import Kind
from contracts.errors import Conflict
from registry.auth import Principal
from registry.clients.models import ClientRole
from registry.clients.repository import ClientRepository
from registry.clients.service import ClientService
from registry.contracts.service import ContractService
from registry.events import EventSink
from registry.grants.repository import GrantRepository
from registry.grants.schemas import GrantCreate
from registry.grants.service import GrantService
from registry.storage import utcnow


@dataclass(frozen=True)
class DemoClient:
    agency: str
    client_id: str
    name: str
    purpose: str
    services: tuple[str, ...] | None = None  # service codes it may call; None: every service
    connector: bool = False  # the departments' connectors: publishes every dataset


CONSUMERS = (
    DemoClient(
        "H50.01", "cong-dich-vu-cong", "Cổng dịch vụ công tỉnh Quảng Trị",
        "Tiếp nhận, giải quyết thủ tục hành chính trên Cổng dịch vụ công của tỉnh",
    ),
    DemoClient(
        "H50.01", "mot-cua-dien-tu", "Hệ thống thông tin giải quyết thủ tục hành chính (một cửa điện tử)",
        "Xác minh thông tin hồ sơ tại bộ phận một cửa",
    ),
    DemoClient(
        "H50.21", "cong-an-tinh-nghiep-vu", "Ứng dụng nghiệp vụ Công an tỉnh", "Xác minh nhân thân phục vụ nghiệp vụ",
        services=("trich-luc-khai-sinh", "kiem-tra-giay-phep-lai-xe", "tra-cuu-ho-so-ly-lich-tu-phap"),
    ),
)  # fmt: skip
CONNECTORS = DemoClient(
    "H50.13", "ket-noi-cac-so", "Kết nối dữ liệu các sở (Sở Khoa học và Công nghệ vận hành)",
    "Chia sẻ dữ liệu chuyên ngành vào Kho cơ sở dữ liệu dùng chung của tỉnh", connector=True,
)  # fmt: skip
DEMO_CLIENTS = (*CONSUMERS, CONNECTORS)
CALLS_PER_MINUTE = 600


def demo_secret(client: DemoClient) -> str:
    """The connectors' secret may be fixed by LGSP_DEMO_CONNECTOR_SECRET (docker-compose); others are new."""
    fixed = os.environ.get("LGSP_DEMO_CONNECTOR_SECRET") if client.connector else None
    return fixed or secrets.token_urlsafe(24)


async def ensure_demo_clients(
    session: AsyncSession, events: EventSink, principal: Principal, *, rotate: bool = True
) -> dict[str, str]:
    """Create the demo clients and grant what they miss; returns the secret of each client created, and with
    `rotate` of each existing client too, its secret reset (`lgsp up --demo` does: it prints them)."""
    clients = ClientService(session, events)
    existing = ClientRepository(session)
    issued = {}
    for client in DEMO_CLIENTS:
        if not rotate and await existing.get(client.client_id) is not None:
            continue
        secret = demo_secret(client)
        await clients.ensure(
            client.client_id, secret, agency=client.agency, name=client.name, role=ClientRole.CONSUMER
        )
        issued[client.client_id] = secret
    listing = await ContractService(session).listing()
    grants = GrantService(session, events)
    for client in DEMO_CLIENTS:
        held, _ = await GrantRepository(session).with_endpoints(client_id=client.client_id)
        active = {endpoint.address for grant, endpoint in held if grant.active_at(utcnow())}
        for endpoint, _version in listing:
            wanted = (
                endpoint.kind == Kind.DATASET
                if client.connector
                else endpoint.kind == Kind.SERVICE
                and (client.services is None or endpoint.code in client.services)
            )
            if not wanted or endpoint.address in active:
                continue
            rate = None if client.connector else CALLS_PER_MINUTE
            request = GrantCreate(
                client_id=client.client_id,
                address=endpoint.address,
                purpose=client.purpose,
                calls_per_minute=rate,
            )
            try:
                await grants.create(request, principal)
            except Conflict:
                continue
    return issued


async def capture_demo_services(session: AsyncSession, events: EventSink, principal: Principal) -> None:
    """Capture the services' payloads (masked, encrypted), so testers can replay the demo's traffic."""
    contracts = ContractService(session, events)
    for endpoint, _version in await contracts.listing(kind=Kind.SERVICE):
        if not endpoint.capture_payloads:
            await contracts.set_capture(endpoint, True, principal)

"""A connector behind the real gateway app: register, grant, call `POST /exchange/...`, get its answer.

The connector shares the gateway's in-process bus (as `lgsp up --demo` composes them) and gets its contract
and the gateway's keys over the gateway's HTTP API.
"""

from dataclasses import dataclass

import httpx
import pytest

from connectors.sdk import Connector, ConnectorRunner, GatewayClient, GatewayKeys, RequestContext
from tests.connectors.conftest import VALID_REQUEST
from tests.connectors.parcels import ADDRESS, PARCELS, parcel_connector
from tests.harness import Harness, land_department

PARCEL = PARCELS[("19234", 12, 345)]


@dataclass
class Province:
    harness: Harness
    consumer: dict[str, str]

    async def call(self, body: object) -> httpx.Response:
        return await self.harness.http.post(f"/exchange/{ADDRESS}", json=body, headers=self.consumer)

    def runner(self, connector: Connector) -> ConnectorRunner:
        transport = httpx.ASGITransport(app=self.harness.app)
        runtime = self.harness.app.state.runtime
        return ConnectorRunner(
            connector,
            runtime.bus,
            keys=GatewayKeys(url="http://testserver", transport=transport),
            gateway=GatewayClient("http://testserver", transport=transport),
        )


@pytest.fixture
async def province(gateway: Harness) -> Province:
    """H50.20 registers its land-parcel service; a client of H50.1 holds a grant for it."""
    await land_department(gateway)
    await gateway.create_agency("H50.1", "Văn phòng UBND tỉnh")
    client_id, secret = await gateway.create_client("H50.1", "mot-cua-tinh")
    granted = await gateway.post(
        "/api/v1/grants",
        {"client_id": client_id, "address": ADDRESS, "purpose": "giải quyết thủ tục đất đai"},
    )
    assert granted.status_code == 201, granted.text
    return Province(gateway, await gateway.auth(client_id, secret))


class TestCallThroughTheGateway:
    async def test_the_consumer_gets_the_connectors_answer(self, province: Province) -> None:
        async with province.runner(parcel_connector(with_contract=False)):
            response = await province.call(VALID_REQUEST)

        assert response.status_code == 200, response.text
        assert response.json() == PARCEL
        assert response.headers["x-exchange-id"]

    async def test_an_answer_against_the_contract_reaches_the_consumer_as_a_502(
        self, province: Province
    ) -> None:
        connector = Connector("H50.20", "csdl-dat-dai")

        @connector.service("tra-cuu-thua-dat", major=1)
        async def careless(request: dict, context: RequestContext) -> dict:
            return {**PARCEL, "land_use": "XYZ"}

        async with province.runner(connector):
            response = await province.call(VALID_REQUEST)

        assert response.status_code == 502
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:provider-error"
        assert "/land_use" in problem["detail"]
        assert "XYZ" not in response.text  # neither the answer nor its invalid value is passed on

    async def test_a_domain_problem_reaches_the_consumer_with_its_detail(self, province: Province) -> None:
        async with province.runner(parcel_connector(with_contract=False)):
            response = await province.call({**VALID_REQUEST, "parcel_number": 9})

        assert response.status_code == 502
        problem = response.json()
        assert "no parcel 19234-12-9" in problem["detail"]
        assert problem["provider_problem"]["type"] == "urn:lgsp:error:parcel-not-found"
        assert problem["provider_problem"]["status"] == 404

"""API6 Unrestricted access to sensitive business flows. Sharing records into the warehouse is the flow worth
flooding: each share grant's `calls_per_minute` bounds it, per grant, on every gateway instance. (Access requests,
the other flow the issue names, do not exist yet; nothing to bound there.)"""

from tests.harness import LAND_DATASET_ADDRESS, Harness, land_sharing, parcel


async def limited_publisher(gateway: Harness, per_minute: int) -> dict[str, str]:
    publisher = await land_sharing(gateway)
    grants = await gateway.http.get(
        "/api/v1/grants?client_id=h50-20-connector", headers=await gateway.admin()
    )
    await gateway.http.delete(
        f"/api/v1/grants/{grants.json()['items'][0]['id']}", headers=await gateway.admin()
    )
    grant = await gateway.post(
        "/api/v1/grants",
        {
            "client_id": "h50-20-connector",
            "address": LAND_DATASET_ADDRESS,
            "purpose": "Chia sẻ vào kho",
            "calls_per_minute": per_minute,
        },
    )
    assert grant.status_code == 201, grant.text
    return publisher


class TestShareFlooding:
    async def test_shares_past_the_grants_rate_get_429_with_retry_after(self, gateway: Harness) -> None:
        publisher = await limited_publisher(gateway, 3)
        responses = [
            await gateway.http.post(
                f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(n)]}, headers=publisher
            )
            for n in range(5)
        ]
        assert [r.status_code for r in responses] == [202, 202, 202, 429, 429]
        assert int(responses[-1].headers["Retry-After"]) >= 1

    async def test_one_batch_is_bounded_in_size(self, gateway: Harness) -> None:
        publisher = await land_sharing(gateway)
        records = [parcel(n) for n in range(10_001)]
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": records}, headers=publisher
        )
        assert response.status_code == 413

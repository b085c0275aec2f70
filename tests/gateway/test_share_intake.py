"""`POST /share/...`: a batch is checked whole against the dataset contract, logged and put on its topic."""

import asyncio

import orjson

from contracts.addresses import SHARE_ACK_TOPIC, Address
from contracts.envelope import SHARE_ACK, Envelope, utc_now
from tests.harness import LAND_DATASET_ADDRESS, Harness, land_sharing, parcel


class TestAcceptedBatch:
    async def test_batch_is_logged_and_put_on_the_dataset_topic(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        bus = gateway.app.state.runtime.bus
        seen: list[Envelope] = []
        topic = Address.parse(LAND_DATASET_ADDRESS).share_topic
        subscription = await bus.subscribe([topic], "test-observer", lambda e: _append(seen, e))
        await subscription.ready()

        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1), parcel(2)]}, headers=headers
        )
        assert response.status_code == 202, response.text
        exchange_id = response.json()["exchange_id"]
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.02)
        await subscription.stop()
        assert [e.id for e in seen] == [exchange_id]
        assert orjson.loads(seen[0].data)["records"][1]["parcel_id"] == "19234-1-2"
        assert seen[0].signature

        record = (await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=headers)).json()
        assert (record["kind"], record["outcome"], record["record_count"]) == ("share", "ok", 2)
        assert record["delivered_at"] is None

    async def test_warehouse_acknowledgement_marks_it_delivered_once(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1)]}, headers=headers
        )
        exchange_id = response.json()["exchange_id"]
        ack = Envelope(
            id=exchange_id, source="urn:test:warehouse", type=SHARE_ACK, subject=LAND_DATASET_ADDRESS,
            data=orjson.dumps({"records": 1, "warehouse": "kho-test"}), time=utc_now(),
        )  # fmt: skip
        bus = gateway.app.state.runtime.bus
        await bus.publish(SHARE_ACK_TOPIC, ack)
        await bus.publish(SHARE_ACK_TOPIC, ack)
        for _ in range(100):
            record = (await gateway.http.get(f"/api/v1/exchanges/{exchange_id}", headers=headers)).json()
            if record["delivered_at"]:
                break
            await asyncio.sleep(0.02)
        assert record["delivered_at"] is not None
        await asyncio.sleep(0.1)
        async with gateway.app.state.sessionmaker() as session:
            from sqlalchemy import text

            rollup = (await session.exec(text("SELECT kind, count FROM exchange_rollup"))).all()
        assert [tuple(row) for row in rollup] == [("share", 1)]


class TestRefusedBatch:
    async def test_one_bad_record_refuses_the_batch_naming_index_and_pointer(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        bad = {**parcel(2), "area_m2": -5}
        del bad["land_use"]
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json={"records": [parcel(1), bad, parcel(3)]}, headers=headers
        )
        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "urn:lgsp:error:records-invalid"
        assert {e["index"] for e in problem["errors"]} == {1}
        assert "/records/1/area_m2" in {e["pointer"] for e in problem["errors"]}
        record = (
            await gateway.http.get(f"/api/v1/exchanges/{problem['exchange_id']}", headers=headers)
        ).json()
        assert record["outcome"] == "client_error"

    async def test_body_without_records_is_refused(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        response = await gateway.http.post(
            f"/share/{LAND_DATASET_ADDRESS}", json=[parcel(1)], headers=headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/records"

    async def test_service_address_is_not_a_dataset(self, gateway: Harness) -> None:
        headers = await land_sharing(gateway)
        response = await gateway.http.post(
            "/share/H50.20/tra-cuu-thua-dat/v1", json={"records": []}, headers=headers
        )
        assert response.status_code == 404


async def _append(seen: list[Envelope], envelope: Envelope) -> None:
    seen.append(envelope)

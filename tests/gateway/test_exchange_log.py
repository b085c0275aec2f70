"""The exchange log's chain: intact after traffic, and `lgsp log verify` names an altered record."""

import itertools

from sqlalchemy import text

from gateway.exchangelog.verify import verify_log
from tests.harness import LAND_ADDRESS, Harness, land_department, run_cli


async def some_traffic(gateway: Harness, calls: int) -> list[str]:
    await land_department(gateway)
    ids = []
    for index in range(calls):
        response = await gateway.http.post(
            f"/exchange/{LAND_ADDRESS}", json={"bad": index}, headers=await gateway.admin()
        )
        ids.append(response.headers["x-exchange-id"])
    return ids


class TestChain:
    async def test_every_exchange_is_chained_in_order(self, gateway: Harness) -> None:
        ids = await some_traffic(gateway, 5)
        report = await verify_log(gateway.app.state.runtime.engine)
        assert report.intact
        assert report.checked == 5
        records = [
            (await gateway.http.get(f"/api/v1/exchanges/{i}", headers=await gateway.admin())).json()
            for i in ids
        ]
        assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
        assert all(r["prev_hash"] == p["hash"] for p, r in itertools.pairwise(records))

    async def test_altering_one_record_is_found_and_named(self, gateway: Harness) -> None:
        ids = await some_traffic(gateway, 4)
        async with gateway.app.state.runtime.engine.begin() as connection:
            await connection.execute(
                text("UPDATE exchange SET http_status = 200 WHERE id = :id"), {"id": ids[2]}
            )
        report = await verify_log(gateway.app.state.runtime.engine)
        assert not report.intact
        assert report.breaks[0].exchange_id == ids[2]
        assert "altered" in report.breaks[0].reason

    async def test_removing_a_record_is_found(self, gateway: Harness) -> None:
        ids = await some_traffic(gateway, 4)
        async with gateway.app.state.runtime.engine.begin() as connection:
            await connection.execute(text("DELETE FROM exchange WHERE id = :id"), {"id": ids[1]})
        report = await verify_log(gateway.app.state.runtime.engine)
        assert report.breaks[0].exchange_id == ids[2]
        assert "missing" in report.breaks[0].reason


class TestVerifyCommand:
    async def test_command_exits_non_zero_naming_the_record(self, gateway: Harness) -> None:
        ids = await some_traffic(gateway, 3)
        env = {"LGSP_DATABASE_URL": gateway.settings.effective_database_url}
        intact = await run_cli(["log", "verify"], env)
        assert intact.exit_code == 0, intact.output
        assert "3 records" in intact.output
        async with gateway.app.state.runtime.engine.begin() as connection:
            await connection.execute(
                text("UPDATE exchange SET consumer_agency = 'H50.99' WHERE id = :id"), {"id": ids[0]}
            )
        broken = await run_cli(["log", "verify"], env)
        assert broken.exit_code == 1
        assert ids[0] in broken.output

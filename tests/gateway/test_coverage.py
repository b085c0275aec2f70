"""`GET /api/v1/coverage`: constructed scenarios with known answers, on both backends."""

from datetime import datetime, timedelta

from gateway.exchangelog.models import Outcome
from registry.contracts.models import ContractStatus
from tests.gateway.coverage_scenario import (
    LONG_AGO,
    TICK,
    Scenario,
    T,
    W,
    agency,
    connected,
    registered,
    sharing,
)
from tests.harness import Harness


class TestWindowEdges:
    async def test_a_call_exactly_at_the_window_start_does_not_count_just_after_does(
        self, gateway: Harness
    ) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        at_start = await s.database("H50.1", "at-start")
        after_start = await s.database("H50.1", "after-start")
        await s.call(at_start, T - W)
        await s.call(after_start, T - W + TICK)

        assert connected(await s.coverage()) == {"after-start"}

    async def test_a_call_exactly_at_t_counts_just_after_does_not(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        at_t = await s.database("H50.1", "at-t")
        after_t = await s.database("H50.1", "after-t")
        await s.call(at_t, T)
        await s.call(after_t, T + TICK)

        assert connected(await s.coverage()) == {"at-t"}

    async def test_calls_on_the_edge_days_but_outside_the_window_do_not_count(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        outside = await s.database("H50.1", "outside")
        await s.call(outside, T - W - timedelta(hours=1))  # same Vietnam day as T − W, before it
        await s.call(outside, T + timedelta(hours=1))  # same day as T, after it
        inside = await s.database("H50.1", "inside")
        await s.call(inside, T - timedelta(days=12))

        assert connected(await s.coverage()) == {"inside"}

    async def test_a_share_delivered_exactly_at_the_start_is_not_sharing_at_t_it_is(
        self, gateway: Harness
    ) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        at_start = await s.database("H50.1", "at-start")
        at_t = await s.database("H50.1", "at-t")
        await s.share(at_start, T - W - timedelta(minutes=5), delivered_at=T - W)
        await s.share(at_t, T - timedelta(minutes=5), delivered_at=T)

        report = await s.coverage()
        assert sharing(report) == {"at-t"}
        assert connected(report) == {"at-t"}

    async def test_a_shorter_window_leaves_older_exchanges_out(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        database = await s.database("H50.1", "ten-days-ago")
        await s.call(database, T - timedelta(days=10))

        assert connected(await s.coverage(window="30d")) == {"ten-days-ago"}
        assert connected(await s.coverage(window="7d")) == set()


class TestRetiredDatabase:
    async def test_not_registered_after_retirement_but_counted_before_it(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        await s.database("H50.1", "kept")
        retired = await s.database("H50.1", "retired", retired_at=T - timedelta(days=5))
        await s.share(retired, T - timedelta(days=20), delivered_at=T - timedelta(days=20))

        now = await s.coverage()
        assert registered(now) == {"kept"}
        assert sharing(now) == set()
        assert now["databases"]["registered"] == 1

        before = await s.coverage(at=T - timedelta(days=10))
        assert registered(before) == {"kept", "retired"}
        assert sharing(before) == {"retired"}
        assert before["database_coverage"]["covered"] == 1
        assert before["database_coverage"]["total"] == 2

    async def test_a_database_created_after_t_is_not_listed(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        await s.database("H50.1", "old")
        await s.database("H50.1", "new", created_at=T + timedelta(days=1))

        assert registered(await s.coverage()) == {"old"}


class TestUnsuccessfulExchanges:
    async def test_failed_calls_do_not_connect(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        failing = await s.database("H50.1", "failing")
        for outcome in (Outcome.PROVIDER_ERROR, Outcome.TIMEOUT, Outcome.REJECTED, Outcome.CLIENT_ERROR):
            await s.call(failing, T - timedelta(days=1), outcome=outcome)

        report = await s.coverage()
        assert connected(report) == set()
        assert report["database_list"][0]["last_exchange_at"] is None

    async def test_an_undelivered_share_is_neither_sharing_nor_connecting(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        undelivered = await s.database("H50.1", "undelivered")
        delivered = await s.database("H50.1", "delivered")
        await s.share(undelivered, T - timedelta(days=1), delivered_at=None)
        await s.share(delivered, T - timedelta(days=1), delivered_at=T - timedelta(days=1))

        report = await s.coverage()
        assert sharing(report) == {"delivered"}
        assert connected(report) == {"delivered"}

    async def test_a_successful_call_connects_but_does_not_share(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        database = await s.database("H50.1", "called")
        await s.call(database, T - timedelta(days=1))

        report = await s.coverage()
        assert (connected(report), sharing(report)) == ({"called"}, set())


class TestActiveContract:
    async def test_a_database_without_a_contract_is_not_connected(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        bare = await s.database("H50.1", "bare", contract=False)
        await s.call(bare, T - timedelta(days=1))

        report = await s.coverage()
        assert connected(report) == set()
        assert report["database_list"][0]["active_contracts"] == 0

    async def test_withdrawn_versions_do_not_count(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        database = await s.database("H50.1", "withdrawn", contract=False)
        await s.contract(database, "H50.1", status=ContractStatus.WITHDRAWN)
        await s.call(database, T - timedelta(days=1))

        assert connected(await s.coverage()) == set()

    async def test_a_contract_registered_after_t_does_not_count_at_t(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        database = await s.database("H50.1", "late-contract", contract=False)
        await s.contract(database, "H50.1", created_at=LONG_AGO, version_created_at=T + timedelta(hours=1))
        await s.call(database, T - timedelta(days=1))
        await s.call(database, T + timedelta(days=1))

        assert connected(await s.coverage()) == set()
        assert connected(await s.coverage(at=T + timedelta(days=2))) == {"late-contract"}


class TestAgencies:
    async def test_an_agency_with_several_databases(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.20")
        sharing_db = await s.database("H50.20", "dat-dai")
        called = await s.database("H50.20", "moi-truong")
        await s.database("H50.20", "khoang-san")
        retired = await s.database("H50.20", "cu", retired_at=T - timedelta(days=40))
        await s.share(sharing_db, T - timedelta(days=3), delivered_at=T - timedelta(days=3))
        await s.call(called, T - timedelta(days=2))
        await s.call(retired, LONG_AGO + timedelta(days=1))

        land = agency(await s.coverage(), "H50.20")
        assert land["databases"] == {"registered": 3, "connected": 2, "sharing": 1}
        assert land["covered"] is True
        assert land["in_scope"] is True
        assert datetime.fromisoformat(land["last_exchange_at"]) == T - timedelta(days=2)

    async def test_agency_coverage_counts_departments_with_a_sharing_database(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        for code in ("H50.1", "H50.2", "H50.3", "H50.4"):
            await s.agency(code)
        one = await s.database("H50.1", "a")
        two = await s.database("H50.2", "b")
        three = await s.database("H50.3", "c")
        await s.share(one, T - timedelta(days=1), delivered_at=T - timedelta(days=1))
        await s.share(two, T - timedelta(days=1), delivered_at=T - timedelta(days=1))
        await s.call(three, T - timedelta(days=1))  # connected, not sharing; H50.4 has no database

        report = await s.coverage()
        assert report["agency_coverage"] == {
            "covered": 2, "total": 4, "ratio": 0.5, "target": 0.6, "met": False,
        }  # fmt: skip
        assert report["departments_with_databases"] == 3
        assert report["database_coverage"]["ratio"] == 2 / 3
        assert report["database_coverage"]["met"] is True

    async def test_only_the_provinces_departments_are_in_scope(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        await s.agency("H50.1.2", tier="department")  # a unit below a department
        await s.agency("H50.9", tier="district")
        await s.agency("G01", tier="ministry")
        await s.agency("H50.7", created_at=T + timedelta(days=1))
        unit = await s.database("H50.1.2", "chi-cuc")
        district = await s.database("H50.9", "huyen")
        await s.database("G01", "bo")
        await s.share(unit, T - timedelta(days=1), delivered_at=T - timedelta(days=1))
        await s.share(district, T - timedelta(days=1), delivered_at=T - timedelta(days=1))

        report = await s.coverage()
        assert [(a["code"], a["in_scope"]) for a in report["agencies"]] == [("H50.1", True), ("H50.9", False)]
        assert agency(report, "H50.1")["databases"]["sharing"] == 1
        assert report["agency_coverage"]["covered"] == report["agency_coverage"]["total"] == 1
        assert report["database_coverage"]["total"] == 2  # the ministry's database is not the province's


class TestPastT:
    async def test_an_earlier_t_reproduces_the_earlier_answer(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        await s.agency("H50.1")
        await s.agency("H50.2")
        first = await s.database("H50.1", "first")
        await s.share(first, T - timedelta(days=2), delivered_at=T - timedelta(days=2))
        await s.call(first, T - timedelta(hours=3))
        earlier = await s.coverage()

        # Later: more exchanges (also later on T's own day), a new database, a retirement, a new agency.
        await s.call(first, T + timedelta(hours=2))
        second = await s.database("H50.2", "second", created_at=T + timedelta(hours=1))
        await s.share(second, T + timedelta(hours=3), delivered_at=T + timedelta(hours=3))
        await s.agency("H50.3", created_at=T + timedelta(days=1))
        async with gateway.app.state.sessionmaker() as session:
            from sqlalchemy import text

            await session.exec(
                text("UPDATE registered_database SET retired_at = :at"), params={"at": T + timedelta(days=2)}
            )  # type: ignore[call-overload]
            await session.commit()

        assert await s.coverage() == earlier
        assert (await s.coverage(at=T + timedelta(days=1)))["database_coverage"]["covered"] == 2


class TestTarget:
    async def test_met_when_the_ratio_reaches_the_target(self, gateway: Harness) -> None:
        s = Scenario(gateway)
        for code in ("H50.1", "H50.2", "H50.3", "H50.4", "H50.5"):
            await s.agency(code)
        for code in ("H50.1", "H50.2", "H50.3"):
            database = await s.database(code, "csdl")
            await s.share(database, T - timedelta(days=1), delivered_at=T - timedelta(days=1))

        figure = (await s.coverage())["agency_coverage"]
        assert (figure["covered"], figure["total"], figure["met"]) == (3, 5, True)

"""Reorganisation with succession: merging agencies, renaming them and moving databases at a stated date."""

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from registry.agencies.models import Agency
from tests.gateway.coverage_scenario import Scenario
from tests.harness import LAND_ADDRESS, Harness, land_department, run_cli

VIETNAM = timezone(timedelta(hours=7))
SUCCESSOR = "H50.30"
MOVED_ADDRESS = "H50.30/tra-cuu-thua-dat/v1"


async def registered_on(gateway: Harness, codes: list[str], when: datetime) -> None:
    """As if the agencies had been registered at `when` (a merger cannot take effect before registration)."""
    async with gateway.app.state.sessionmaker() as session:
        await session.exec(update(Agency).where(col(Agency.code).in_(codes)).values(created_at=when))  # type: ignore[call-overload]
        await session.commit()


async def land_with_consumer(gateway: Harness) -> tuple[str, str]:
    """The land department (registered in 2024), its connector client, a consumer with a grant, and the successor
    H50.30."""
    await land_department(gateway)
    await registered_on(gateway, ["H50.20"], datetime(2024, 8, 7, tzinfo=VIETNAM))
    await gateway.create_agency(SUCCESSOR, "Sở Nông nghiệp và Môi trường")
    await gateway.create_client("H50.20", "h50-20-connector")
    consumer, _ = await gateway.create_client("H50", "cong-dvc")
    grant = await gateway.post(
        "/api/v1/grants", {"client_id": consumer, "address": LAND_ADDRESS, "purpose": "TTHC"}
    )
    assert grant.status_code == 201, grant.text
    return consumer, grant.json()["id"]


async def merge(gateway: Harness, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return await gateway.post("/api/v1/agencies/merge", body, headers=headers)


class TestMergePassesEverythingToTheSuccessor:
    async def test_databases_contracts_clients_and_grants_pass_and_the_old_agency_stays_merged(
        self, gateway: Harness
    ) -> None:
        _, grant_id = await land_with_consumer(gateway)
        response = await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        assert response.status_code == 200, response.text
        change = response.json()
        assert change["databases"] == ["H50.20/csdl-dat-dai"]
        assert change["clients"] == ["h50-20-connector"]
        assert [(a["address"], a["successor"]) for a in change["aliases"]] == [(LAND_ADDRESS, MOVED_ADDRESS)]
        assert change["aliases"][0]["sunset_at"].startswith("2025-08-28")  # 180 days by default

        old = (await gateway.http.get("/api/v1/agencies/H50.20")).json()
        assert old["merged_into"] == SUCCESSOR
        assert old["merged_at"].startswith("2025-02-28T17:00:00")  # 01/03/2025 00:00 in Vietnam
        moved = await gateway.http.get(f"/api/v1/databases/{SUCCESSOR}/csdl-dat-dai")
        assert moved.status_code == 200
        assert (await gateway.http.get("/api/v1/databases/H50.20/csdl-dat-dai")).status_code == 404
        service = await gateway.http.get(f"/api/v1/services/{SUCCESSOR}/tra-cuu-thua-dat")
        assert service.status_code == 200
        client = (
            await gateway.http.get("/api/v1/clients/h50-20-connector", headers=await gateway.admin())
        ).json()
        assert client["agency"] == SUCCESSOR
        grant = (await gateway.http.get(f"/api/v1/grants/{grant_id}", headers=await gateway.admin())).json()
        assert (grant["address"], grant["active"]) == (MOVED_ADDRESS, True)

    async def test_a_merged_agency_cannot_be_merged_again(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        assert (
            await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        ).status_code == 200
        again = await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-04-01"})
        assert again.status_code == 409
        assert "merged into H50.30" in again.json()["detail"]


class TestNothingNewUnderAMergedAgency:
    async def test_databases_clients_and_units_are_registered_with_the_successor(
        self, gateway: Harness
    ) -> None:
        await land_with_consumer(gateway)
        assert (
            await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        ).status_code == 200
        attempts = {
            "/api/v1/databases": {"agency": "H50.20", "code": "csdl-moi", "name": "CSDL mới"},
            "/api/v1/clients": {"agency": "H50.20", "name": "Ứng dụng mới"},
            "/api/v1/agencies": {"code": "H50.20.09", "name": "Chi cục mới", "tier": "district"},
        }
        for path, body in attempts.items():
            response = await gateway.post(path, body)
            assert response.status_code == 409, path
            assert "merged into H50.30" in response.json()["detail"], path


class TestMergeRefusals:
    async def test_only_a_platform_admin_merges(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        client_id, secret = await gateway.create_client("H50.20", "h50-20-admin", role="agency_admin")
        response = await merge(
            gateway,
            {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"},
            headers=await gateway.auth(client_id, secret),
        )
        assert response.status_code == 403
        anonymous = await gateway.http.post(
            "/api/v1/agencies/merge", json={"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"}
        )
        assert anonymous.status_code == 401

    async def test_bad_input_is_a_specific_problem(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        cases = {
            "unknown agency": ({"from": ["H50.77"], "into": SUCCESSOR, "at": "2025-03-01"}, 404, "not-found"),
            "future date": (
                {"from": ["H50.20"], "into": SUCCESSOR, "at": "2999-01-01"},
                422,
                "invalid-input",
            ),
            "not a date": ({"from": ["H50.20"], "into": SUCCESSOR, "at": "soon"}, 422, "invalid-input"),
            "into itself": ({"from": ["H50.20"], "into": "H50.20", "at": "2025-03-01"}, 422, "invalid-input"),
            "nothing merged": ({"from": [], "into": SUCCESSOR, "at": "2025-03-01"}, 422, "invalid-input"),
            "bad code": ({"from": ["h50-20"], "into": SUCCESSOR, "at": "2025-03-01"}, 422, "invalid-input"),
            "before its registration": (
                {"from": ["H50.20"], "into": SUCCESSOR, "at": "2024-08-06"},
                422,
                "invalid-input",
            ),
        }
        for case, (body, status, name) in cases.items():
            response = await merge(gateway, body)
            assert response.status_code == status, case
            assert response.json()["type"] == f"urn:lgsp:error:{name}", case
        still = (await gateway.http.get("/api/v1/agencies/H50.20")).json()
        assert still["merged_into"] is None

    async def test_a_database_code_the_successor_already_has_is_a_conflict(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        await gateway.create_database(SUCCESSOR, "csdl-dat-dai", "CSDL đất đai (khác)")
        response = await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        assert response.status_code == 409
        assert "csdl-dat-dai" in response.json()["detail"]
        assert (await gateway.http.get("/api/v1/databases/H50.20/csdl-dat-dai")).status_code == 200

    async def test_units_below_must_be_merged_with_their_agency(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        await gateway.create_agency("H50.20.01", "Chi cục Quản lý đất đai", tier="district")
        await registered_on(gateway, ["H50.20.01"], datetime(2024, 8, 7, tzinfo=VIETNAM))
        alone = await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        assert alone.status_code == 409
        assert "H50.20.01" in alone.json()["detail"]
        both = await merge(gateway, {"from": ["H50.20", "H50.20.01"], "into": SUCCESSOR, "at": "2025-03-01"})
        assert both.status_code == 200, both.text


class TestTheMergedAgencysAdmins:
    async def test_lose_their_rights_and_pass_to_the_successor_as_consumers(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        admin_id, secret = await gateway.create_client("H50.20", "h50-20-admin", role="agency_admin")
        before = await gateway.auth(admin_id, secret)  # a token issued before the merger
        response = await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        assert response.json()["demoted"] == ["h50-20-admin"]

        renamed = await gateway.http.patch("/api/v1/agencies/H50.20", json={"name": "x"}, headers=before)
        assert (renamed.status_code, renamed.json()["type"]) == (409, "urn:lgsp:error:conflict")
        client = (await gateway.http.get(f"/api/v1/clients/{admin_id}", headers=await gateway.admin())).json()
        assert (client["agency"], client["role"]) == (SUCCESSOR, "consumer")
        after = await gateway.auth(admin_id, secret)
        body = {"agency": SUCCESSOR, "code": "csdl-moi", "name": "CSDL mới"}
        assert (await gateway.http.post("/api/v1/databases", json=body, headers=after)).status_code == 403


class TestRenameAndMove:
    async def test_rename_keeps_the_code_and_records_the_former_name(self, gateway: Harness) -> None:
        await Scenario(gateway).agency("H50.22", name="Sở Thông tin và Truyền thông")  # registered 01/01/2026
        response = await gateway.post(
            "/api/v1/agencies/H50.22/rename", {"name": "Sở Khoa học và Công nghệ", "at": "2026-03-01"}
        )
        assert response.status_code == 200, response.text
        assert (await gateway.http.get("/api/v1/agencies/H50.22")).json()[
            "name"
        ] == "Sở Khoa học và Công nghệ"
        for at, name in (
            ("2026-02-28T23:00", "Sở Thông tin và Truyền thông"),
            ("2026-03-01", "Sở Khoa học và Công nghệ"),
        ):
            report = (await gateway.http.get("/api/v1/coverage", params={"at": at})).json()
            assert {a["code"]: a["name"] for a in report["agencies"]}["H50.22"] == name

    async def test_move_passes_one_database_with_its_contract(self, gateway: Harness) -> None:
        _, grant_id = await land_with_consumer(gateway)
        response = await gateway.post(
            "/api/v1/databases/H50.20/csdl-dat-dai/move",
            {"to": SUCCESSOR, "at": "2025-03-01", "sunset_days": 30},
        )
        assert response.status_code == 200, response.text
        assert response.json()["aliases"][0]["successor"] == MOVED_ADDRESS
        assert (await gateway.http.get("/api/v1/agencies/H50.20")).json()["merged_into"] is None
        grant = (await gateway.http.get(f"/api/v1/grants/{grant_id}", headers=await gateway.admin())).json()
        assert grant["address"] == MOVED_ADDRESS
        unknown = await gateway.post(
            "/api/v1/databases/H50.20/csdl-dat-dai/move", {"to": "H50.20", "at": "2025-03-01"}
        )
        assert unknown.status_code == 404


class TestReorganisationHistory:
    async def test_the_steps_are_listed_with_their_dates_and_per_agency(self, gateway: Harness) -> None:
        await land_with_consumer(gateway)
        await gateway.create_agency("H50.31", "Sở Tài chính")
        await registered_on(gateway, [SUCCESSOR], datetime(2024, 8, 7, tzinfo=VIETNAM))
        assert (
            await merge(gateway, {"from": ["H50.20"], "into": SUCCESSOR, "at": "2025-03-01"})
        ).status_code == 200
        assert (
            await merge(gateway, {"from": [SUCCESSOR], "into": "H50.31", "at": "2025-07-01"})
        ).status_code == 200

        listed = await gateway.http.get("/api/v1/reorganisations")  # public, like the agency list
        assert listed.status_code == 200, listed.text
        steps = [(c["kind"], c["agency"], c["successor"], c["database"]) for c in listed.json()["items"]]
        assert steps == [
            ("move", "H50.20", SUCCESSOR, "csdl-dat-dai"),
            ("merge", "H50.20", SUCCESSOR, None),
            ("move", SUCCESSOR, "H50.31", "csdl-dat-dai"),
            ("merge", SUCCESSOR, "H50.31", None),
        ]
        assert listed.json()["items"][1]["at"].startswith("2025-02-28T17:00:00")
        merges = (await gateway.http.get("/api/v1/reorganisations", params={"kind": "merge"})).json()
        assert merges["total"] == 2

        succession = (await gateway.http.get("/api/v1/agencies/H50.20/succession")).json()
        assert (succession["merged_into"], succession["held_by"]) == (SUCCESSOR, "H50.31")
        assert [c["kind"] for c in succession["changes"]] == ["move", "merge"]
        middle = (await gateway.http.get(f"/api/v1/agencies/{SUCCESSOR}/succession")).json()
        assert middle["predecessors"] == ["H50.20"]
        assert len(middle["changes"]) == 4

    async def test_unknown_agency_and_bad_filters_are_specific_problems(self, gateway: Harness) -> None:
        unknown = await gateway.http.get("/api/v1/agencies/H50.77/succession")
        assert (unknown.status_code, unknown.json()["type"]) == (404, "urn:lgsp:error:not-found")
        bad = await gateway.http.get("/api/v1/reorganisations", params={"kind": "split", "limit": 0})
        assert (bad.status_code, bad.json()["type"]) == (422, "urn:lgsp:error:invalid-input")


class TestReorganisationCommands:
    async def test_merge_rename_and_move_from_the_command_line(self, live_gateway: Any) -> None:
        env = live_gateway.cli_env()
        for code, name in (
            ("H50.20", "Sở Tài nguyên và Môi trường"),
            ("H50.21", "Sở Nông nghiệp"),
            ("H50.30", "x"),
        ):
            assert (await run_cli(["agency", "create", code, name], env)).exit_code == 0
        assert (
            await run_cli(["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"], env)
        ).exit_code == 0

        early = await run_cli(["agency", "merge", "H50.20", "--into", "H50.30", "--at", "2025-03-01"], env)
        assert early.exit_code == 1
        assert early.stderr.startswith("error: H50.20 was registered on ")
        now = datetime.now(VIETNAM).replace(tzinfo=None).isoformat()  # after the registrations above
        moved = await run_cli(["database", "move", "H50.20/csdl-dat-dai", "--to", "H50.21", "--at", now], env)
        assert moved.exit_code == 0, moved.output
        merged = await run_cli(
            ["agency", "merge", "H50.20", "H50.21", "--into", "H50.30", "--at", now, "--json"], env
        )
        assert merged.exit_code == 0, merged.output
        assert '"H50.21/csdl-dat-dai"' in merged.output
        renamed = await run_cli(
            ["agency", "rename", "H50.30", "--name", "Sở Nông nghiệp và Môi trường", "--at", now],
            env,
        )
        assert renamed.exit_code == 0, renamed.output

        history = await run_cli(["agency", "history"], env)
        assert history.exit_code == 0, history.output
        assert datetime.now(VIETNAM).strftime("%d/%m/%Y") in history.output
        assert "Sở Nông nghiệp và Môi trường" in history.output  # the rename, and the successor's name now
        one = await run_cli(["agency", "history", "H50.21", "--format", "json"], env)
        assert one.exit_code == 0, one.output
        assert json.loads(one.output)["held_by"] == "H50.30"
        missing = await run_cli(["agency", "history", "H50.77"], env)
        assert (missing.exit_code, missing.stderr.count("\n")) == (1, 1)

        refused = await run_cli(["agency", "merge", "H50.20", "--into", "H50.30", "--at", "2025-03-01"], env)
        assert refused.exit_code == 1
        assert refused.stderr.startswith("error: ")
        assert refused.stderr.count("\n") == 1
        usage = await run_cli(
            ["database", "move", "csdl-dat-dai", "--to", "H50.30", "--at", "2025-03-01"], env
        )
        assert usage.exit_code == 2

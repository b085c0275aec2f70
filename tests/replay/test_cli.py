"""`lgsp replay export|run` and `lgsp contract verify` as a tester runs them, against gateways on real ports."""

from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest

from gateway.settings import Settings
from tests.harness import FIXTURES, LAND_SERVICE, run_cli
from tests.replay import connectors
from tests.replay.conftest import live_recording

CHANGED = "tests.replay.connectors:changed"
AREA_AS_TEXT = "tra-cuu-thua-dat-1.3-area-as-text.yaml"
ORIGINAL = "tests.replay.connectors:original"


def junit_cases(junit: Path) -> dict[str, dict[str, Any]]:
    """Each testcase's outcome and message, by exchange id."""
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = {}
    for case in suite.iter("testcase"):
        outcome = next(iter(case), None)
        cases[case.attrib["name"]] = {
            "outcome": outcome.tag if outcome is not None else "passed",
            "message": outcome.attrib.get("message") if outcome is not None else None,
        }
    return cases


class TestExport:
    async def test_writes_a_header_then_one_line_per_exchange_masked_and_without_secrets(
        self, new_settings: Callable[[], Settings], tmp_path: Path
    ) -> None:
        cassette = tmp_path / "land.jsonl"
        async with live_recording(new_settings(), connectors.original) as recorded:
            result = await run_cli(["replay", "export", "--output", str(cassette)], recorded.env())
            token = await recorded.recording.harness.token(*recorded.recording.tester)

        assert result.exit_code == 0, result.output
        assert "exported 6 exchange(s), 6 with a captured request" in result.output
        header, *lines = [orjson.loads(line) for line in cassette.read_bytes().splitlines()]
        assert header["format"] == "lgsp-replay-cassette"
        assert header["format_version"] == 1
        assert header["source"] == recorded.live.url
        assert header["exported_at"]
        assert [line["id"] for line in lines] == recorded.recording.ids
        first = lines[0]
        assert first["address"] == "H50.20/tra-cuu-thua-dat/v1"
        assert first["contract_version"] == "1.0.0"
        assert first["consumer"] == "H50.1"
        assert (first["status"], first["outcome"]) == (200, "ok")
        assert first["request"] == {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345}
        assert first["response"]["owner"] == {"full_name": "***", "citizen_id": "***"}
        assert first["received_at"]
        assert first["completed_at"]
        text = cassette.read_text()
        assert "045089001234" not in text  # masked stays masked
        assert recorded.recording.tester[1] not in text
        assert token not in text


class TestCassetteOnAnotherGateway:
    async def test_gives_the_same_report_as_the_recording_gateways_log(
        self, new_settings: Callable[[], Settings], tmp_path: Path
    ) -> None:
        """The cassette replayed on gateway B (another database, the changed connector) and the log of A
        replayed on the changed connector directly: the same exchanges pass and fail, for the same reason."""
        cassette, on_b, from_log = tmp_path / "a.jsonl", tmp_path / "b.xml", tmp_path / "a.xml"
        async with live_recording(new_settings(), connectors.original) as a:
            exported = await run_cli(["replay", "export", "-o", str(cassette)], a.env())
            direct = await run_cli(
                ["replay", "run", "--connector", CHANGED, "--junit", str(from_log)], a.env()
            )
        assert exported.exit_code == 0, exported.output
        async with live_recording(new_settings(), connectors.changed, calls=[]) as b:
            replayed = await run_cli(
                ["replay", "run", "--cassette", str(cassette), "--target", b.live.url, "--junit", str(on_b)],
                b.env(),
            )

        assert (direct.exit_code, replayed.exit_code) == (1, 1), replayed.output
        assert junit_cases(on_b) == junit_cases(from_log)
        outcomes = [c["outcome"] for c in junit_cases(on_b).values()]
        assert outcomes == ["passed", "failure", "passed", "passed", "failure", "passed"]
        assert "replayed (status 200)" in replayed.output
        assert '+  "area_m2": 1600,' in replayed.output


class TestExitStatus:
    async def test_0_when_the_same_1_when_different(self, sqlite_settings: Callable[[], Settings]) -> None:
        async with live_recording(sqlite_settings(), connectors.original) as recorded:
            same = await run_cli(["replay", "run", "--connector", ORIGINAL], recorded.env())
            different = await run_cli(["replay", "run", "--connector", CHANGED], recorded.env())
            through_gateway = await run_cli(["replay", "run"], recorded.env())

        assert same.exit_code == 0, same.output
        assert different.exit_code == 1, different.output
        assert through_gateway.exit_code == 0, through_gateway.output
        assert "2 value(s) masked" not in same.output
        assert "10 value(s) masked in the recordings (***) were not compared" in same.output

    async def test_1_when_the_tester_may_not_call_the_target(
        self, sqlite_settings: Callable[[], Settings], tmp_path: Path
    ) -> None:
        cassette = tmp_path / "a.jsonl"
        async with live_recording(sqlite_settings(), connectors.original, calls=CALLS_ONE) as a:
            assert (await run_cli(["replay", "export", "-o", str(cassette)], a.env())).exit_code == 0
            admin_of_a = a.live.cli_env()  # an admin holds no grant: the call is refused
            refused = await run_cli(["replay", "run", "--cassette", str(cassette)], admin_of_a)

        assert refused.exit_code == 1
        assert "failed to send" in refused.output
        assert "no-grant" in refused.output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--cassette", "{bad}"], "not a cassette header"),
            (
                ["--cassette", "{good}", "--address", "H50.9/x/v1"],
                "no captured exchange matches the selection",
            ),
            (
                ["--cassette", "{good}", "--connector", "tests.replay.connectors:nothing"],
                "has no attribute nothing",
            ),
            (["--cassette", "{good}", "--connector", ORIGINAL, "--target", "http://x"], "not both"),
            (["--cassette", "{good}", "--rules", "{bad}"], "is not YAML"),
            (["--cassette", "{good}", "--since", "yesterday"], "not an RFC 3339 time"),
            (["--cassette", "{good}", "--contract", "{bad}"], "bad.jsonl"),
        ],
    )
    async def test_2_with_one_line_when_the_replay_cannot_run(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        bad, good = tmp_path / "bad.jsonl", tmp_path / "good.jsonl"
        bad.write_text('{"hello": "world"}\n[: not yaml either\n')
        good.write_text(orjson.dumps(HEADER).decode() + "\n" + orjson.dumps(EXCHANGE).decode() + "\n")
        filled = [arg.format(bad=bad, good=good) for arg in args]
        result = await run_cli(["replay", "run", *filled], {"LGSP_URL": "http://127.0.0.1:9"})
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


HEADER = {
    "format": "lgsp-replay-cassette",
    "format_version": 1,
    "source": "test",
    "exported_at": "2026-11-20T08:30:00Z",
    "exchanges": 1,
}
EXCHANGE = {
    "id": "0b5c4f9e-8a3a-4c1e-9d1a-7f0a2b3c4d5e",
    "address": "H50.20/tra-cuu-thua-dat/v1",
    "contract_version": "1.0.0",
    "consumer": "H50.1",
    "outcome": "ok",
    "status": 200,
    "request": {"commune_code": "19234", "map_sheet": 12, "parcel_number": 345},
    "response": connectors.PARCELS[("19234", 12, 345)],
    "received_at": "2026-11-20T08:30:00Z",
}
CALLS_ONE = [("H50.20/tra-cuu-thua-dat/v1", EXCHANGE["request"])]


class TestJunit:
    async def test_is_well_formed_with_one_testcase_per_exchange_and_counts_that_match(
        self, sqlite_settings: Callable[[], Settings], tmp_path: Path
    ) -> None:
        junit = tmp_path / "replay.xml"
        calls = [*CALLS_ONE, ("H50.20/tra-cuu-ho-so-theo-cccd/v1", {"citizen_id": "045089001234"})]
        from tests.replay.conftest import CALLS

        async with live_recording(sqlite_settings(), connectors.original, [*CALLS, *calls]) as recorded:
            result = await run_cli(
                ["replay", "run", "--connector", CHANGED, "--junit", str(junit)], recorded.env()
            )

        assert result.exit_code == 1
        root = ElementTree.parse(junit).getroot()
        suite = root.find("testsuite")
        assert suite is not None
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.attrib["tests"]) == 8
        assert [c.attrib["name"] for c in cases] == recorded.recording.ids
        failures = [c.find("failure") for c in cases if c.find("failure") is not None]
        skipped = [c.find("skipped") for c in cases if c.find("skipped") is not None]
        assert len(failures) == int(suite.attrib["failures"]) == 2
        assert len(skipped) == int(suite.attrib["skipped"]) == 1
        assert int(suite.attrib["errors"]) == 0
        assert failures[0] is not None
        assert failures[0].attrib["message"] == "/area_m2: 1520 → 1600"
        assert '+  "area_m2": 1600,' in (failures[0].text or "")
        assert skipped[0] is not None
        assert "request carries masked values" in skipped[0].attrib["message"]
        assert "replayed" in result.output
        assert "skipped 1: request carries masked values" in result.output


class TestSelectionFlags:
    @pytest.mark.parametrize(
        ("flags", "expected"),
        [
            ([], [0, 1, 2, 3, 4, 5]),
            (["--outcome", "provider_error"], [5]),
            (["--id", "{2}", "--id", "{0}"], [0, 2]),
            (["--limit", "2"], [4, 5]),
            (["--version", "1.0.0"], [0, 1, 2, 3, 4, 5]),
            (["--consumer", "H50.2"], []),
            (["--address", "H50.20/tra-cuu-thua-dat/v1", "--limit", "1"], [5]),
        ],
    )
    async def test_choose_what_is_exported_and_replayed(
        self, sqlite_settings: Callable[[], Settings], tmp_path: Path, flags: list[str], expected: list[int]
    ) -> None:
        cassette, junit = tmp_path / "all.jsonl", tmp_path / "out.xml"
        async with live_recording(sqlite_settings(), connectors.original) as recorded:
            ids = recorded.recording.ids
            filled = [flag.format(*ids) for flag in flags]
            exported = await run_cli(["replay", "export", "-o", str(cassette), *filled], recorded.env())
            everything = tmp_path / "everything.jsonl"
            await run_cli(["replay", "export", "-o", str(everything)], recorded.env())
        replayed = await run_cli(
            [
                "replay",
                "run",
                "--cassette",
                str(everything),
                "--connector",
                ORIGINAL,
                "--junit",
                str(junit),
                *filled,
            ]
        )

        assert exported.exit_code == 0, exported.output
        exported_ids = [orjson.loads(line)["id"] for line in cassette.read_bytes().splitlines()[1:]]
        assert exported_ids == [ids[i] for i in expected]
        if expected:
            assert replayed.exit_code == 0, replayed.output
            assert list(junit_cases(junit)) == [ids[i] for i in expected]
        else:
            assert replayed.exit_code == 2
            assert "no captured exchange matches" in replayed.output


class TestNewerContractFlag:
    async def test_reports_each_violation_of_the_new_version_as_a_mismatch(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        newer = FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml"
        async with live_recording(sqlite_settings(), connectors.original, CALLS_ONE) as recorded:
            result = await run_cli(
                ["replay", "run", "--connector", ORIGINAL, "--contract", str(LAND_SERVICE)], recorded.env()
            )
            breaking = await run_cli(
                ["replay", "run", "--connector", ORIGINAL, "--contract", str(newer)], recorded.env()
            )

        assert result.exit_code == 0, result.output
        assert breaking.exit_code == 1
        assert "request does not match contract 1.2.0 at /: " in breaking.output
        assert "response does not match contract 1.2.0 at /area_m2" in breaking.output


class TestContractVerify:
    def verify(self, connector: str, contract: Path = LAND_SERVICE) -> Any:
        return run_cli(
            ["contract", "verify", str(contract), "--connector", f"tests.replay.connectors:{connector}"]
        )

    async def test_passes_a_connector_that_answers_every_example(self) -> None:
        result = await self.verify("original")
        assert result.exit_code == 0, result.output
        assert "2 of 2 pass" in result.output
        assert "thua-dat-ton-tai" in result.output
        assert "dat-trong-cay-lau-nam" in result.output

    async def test_fails_a_connector_that_breaks_an_example(self) -> None:
        result = await self.verify("changed")
        assert result.exit_code == 1
        assert "1 of 2 pass" in result.output
        assert "/area_m2: 1520 → 1600" in result.output
        assert '+  "area_m2": 1600,' in result.output

    async def test_fails_a_connector_whose_answers_break_the_response_schema(self) -> None:
        result = await self.verify("breaks_the_contract")
        assert result.exit_code == 1
        assert "0 of 2 pass" in result.output
        assert "status 200 → 502" in result.output
        assert "/land_use" in result.output  # the connector's own check names where

    async def test_checks_each_answer_against_the_response_schema_of_the_contract_verified(self) -> None:
        # the connector answers under the 1.0.0 it bundles; the version verified wants the area as text
        result = await self.verify("original", Path(__file__).parent / "fixtures" / AREA_AS_TEXT)
        assert result.exit_code == 1
        assert "0 of 2 pass" in result.output
        assert "response does not match contract 1.3.0 at /area_m2" in result.output

    async def test_cannot_verify_what_no_connector_serves(self) -> None:
        result = await self.verify("original", FIXTURES / "thua-dat-dataset.yaml")
        assert result.exit_code == 2
        assert "is a dataset" in result.output

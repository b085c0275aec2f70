"""`lgsp replay` as a newcomer first runs it: as the admin, on a log that is mostly uncaptured history."""

from pathlib import Path

import pytest

from gateway.settings import Settings
from tests.harness import LAND_ADDRESS, gateway_settings, run_cli
from tests.replay import connectors
from tests.replay.conftest import CALLS, TESTER, call_all, live_recording


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return gateway_settings(f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path)


class TestReplayAsTheAdmin:
    async def test_explains_no_grant_and_names_a_client_that_holds_one(self, settings: Settings) -> None:
        async with live_recording(settings, connectors.original) as recorded:
            as_admin = await run_cli(["replay", "run"], recorded.live.cli_env())
        assert as_admin.exit_code == 1
        assert "no-grant" in as_admin.output
        assert "the gateway replays each request as your client (root-admin)" in as_admin.stderr
        assert f"LGSP_CLIENT_ID={TESTER} LGSP_CLIENT_SECRET=... lgsp replay run" in as_admin.stderr


class TestCapturedOnly:
    async def test_export_leaves_out_what_was_not_captured(self, settings: Settings, tmp_path: Path) -> None:
        everything, captured = tmp_path / "all.jsonl", tmp_path / "captured.jsonl"
        async with live_recording(settings, connectors.original) as recorded:
            harness = recorded.recording.harness
            off = await harness.http.patch(
                f"/api/v1/services/{LAND_ADDRESS}",
                json={"capture_payloads": False},
                headers=await harness.admin(),
            )
            assert off.status_code == 200, off.text
            await call_all(harness, recorded.recording.tester, CALLS[:2])  # history, as the demo's is
            env = recorded.env()
            all_exported = await run_cli(
                ["replay", "export", "-o", str(everything), "--address", LAND_ADDRESS], env
            )
            only = ["replay", "export", "-o", str(captured), "--address", LAND_ADDRESS, "--captured-only"]
            captured_exported = await run_cli(only, env)
        assert all_exported.exit_code == 0, all_exported.output
        assert captured_exported.exit_code == 0, captured_exported.output

        def exchanges(path: Path) -> int:
            return len(path.read_text().splitlines()) - 1  # after the header

        assert exchanges(captured) == exchanges(everything) - 2
        assert "with a captured request" in captured_exported.output
        assert all(
            '"request":null' not in line.replace(" ", "") for line in captured.read_text().splitlines()[1:]
        )

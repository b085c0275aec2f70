from pathlib import Path

from tests.harness import run_cli


class TestSeedDemo:
    async def test_seeding_twice_changes_nothing_the_second_time(
        self, database_url: str, tmp_path: Path
    ) -> None:
        env = {"LGSP_DATABASE_URL": database_url, "LGSP_DATA_DIR": str(tmp_path)}
        first = await run_cli(["seed", "demo"], env)
        assert first.exit_code == 0, first.output
        assert "agencies: 21 created" in first.output
        second = await run_cli(["seed", "demo"], env)
        assert second.exit_code == 0, second.output
        assert "agencies: 0 created, 0 updated" in second.output
        assert "databases: 0 created, 0 updated" in second.output
        assert "0 registered" in second.output
        assert "client ket-noi-cac-so: secret " in second.output  # the connectors' client, for sharing
        assert "client cong-dich-vu-cong: secret " in second.output

from pathlib import Path

from registry.demo import load_province
from tests.harness import run_cli


class TestSeedDemo:
    async def test_seeding_twice_changes_nothing_the_second_time(
        self, database_url: str, tmp_path: Path
    ) -> None:
        env = {"LGSP_DATABASE_URL": database_url, "LGSP_DATA_DIR": str(tmp_path)}
        first = await run_cli(["seed", "demo"], env)
        assert first.exit_code == 0, first.output
        assert (
            f"agencies: {len(load_province().agencies)} created" in first.output
        )  # every one the file names
        second = await run_cli(["seed", "demo"], env)
        assert second.exit_code == 0, second.output
        assert "agencies: 0 created, 0 updated" in second.output
        assert "databases: 0 created, 0 updated" in second.output
        assert "0 registered" in second.output
        lines = first.output.splitlines()  # a second run keeps the secrets (tests/scale/test_seed_secrets.py)
        for client_id in ("ket-noi-cac-so", "cong-dich-vu-cong"):  # the connectors' client, and a consumer
            announced = lines.index(f"client {client_id}, secret (shown this once):")
            assert len(lines[announced + 1]) >= 32, "the secret follows, whole, on a line of its own"

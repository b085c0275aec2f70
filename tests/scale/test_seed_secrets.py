"""`lgsp seed demo` again creates only what is missing and keeps existing clients' secrets unless asked."""

from pathlib import Path

from tests.harness import basic, gateway_settings, run_cli, running_gateway

CONSUMER = "cong-dich-vu-cong"


def printed_secrets(output: str) -> dict[str, str]:
    lines = output.splitlines()
    return {
        line.split()[1].rstrip(","): lines[number + 1]
        for number, line in enumerate(lines)
        if line.endswith("secret (shown this once):")
    }


async def token_status(database_url: str, data_dir: Path, client_id: str, secret: str) -> int:
    async with running_gateway(gateway_settings(database_url, data_dir)) as gateway:
        response = await gateway.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(client_id, secret)
        )
        return response.status_code


class TestSeedKeepsSecrets:
    async def test_a_second_seed_keeps_every_secret_and_prints_none(
        self, database_url: str, tmp_path: Path
    ) -> None:
        env = {
            "LGSP_DATABASE_URL": database_url,
            "LGSP_DATA_DIR": str(tmp_path),
            "LGSP_SECRET_HASH_TIME_COST": "1",
        }
        first = await run_cli(["seed", "demo"], env)
        assert first.exit_code == 0, first.output
        issued = printed_secrets(first.output)
        assert CONSUMER in issued
        second = await run_cli(["seed", "demo"], env)
        assert second.exit_code == 0, second.output
        assert printed_secrets(second.output) == {}
        assert f"clients kept with their secrets: {CONSUMER}" in second.output
        assert await token_status(database_url, tmp_path, CONSUMER, issued[CONSUMER]) == 200

    async def test_rotate_secrets_replaces_them(self, database_url: str, tmp_path: Path) -> None:
        env = {
            "LGSP_DATABASE_URL": database_url,
            "LGSP_DATA_DIR": str(tmp_path),
            "LGSP_SECRET_HASH_TIME_COST": "1",
        }
        issued = printed_secrets((await run_cli(["seed", "demo"], env)).output)
        rotated = await run_cli(["seed", "demo", "--rotate-secrets"], env)
        assert rotated.exit_code == 0, rotated.output
        fresh = printed_secrets(rotated.output)
        assert fresh.keys() == issued.keys()
        assert fresh[CONSUMER] != issued[CONSUMER]
        assert await token_status(database_url, tmp_path, CONSUMER, issued[CONSUMER]) == 401
        assert await token_status(database_url, tmp_path, CONSUMER, fresh[CONSUMER]) == 200

    async def test_the_connectors_fixed_secret_is_not_reset_by_a_second_seed(
        self, database_url: str, tmp_path: Path
    ) -> None:
        env = {
            "LGSP_DATABASE_URL": database_url,
            "LGSP_DATA_DIR": str(tmp_path),
            "LGSP_SECRET_HASH_TIME_COST": "1",
        }
        first = await run_cli(
            ["seed", "demo"], env | {"LGSP_DEMO_CONNECTOR_SECRET": "the-first-connector-secret"}
        )
        assert printed_secrets(first.output)["ket-noi-cac-so"] == "the-first-connector-secret"
        await run_cli(["seed", "demo"], env | {"LGSP_DEMO_CONNECTOR_SECRET": "another-connector-secret"})
        assert (
            await token_status(database_url, tmp_path, "ket-noi-cac-so", "the-first-connector-secret") == 200
        )

"""Tokens are valid on every gateway of a platform: the issuer is configuration, never the listening port."""

from pathlib import Path

import httpx

from tests.scale.processes import GatewayProcess


def clients(gateway: GatewayProcess, token: str) -> httpx.Response:
    return httpx.get(f"{gateway.url}/api/v1/clients", headers={"Authorization": f"Bearer {token}"})


class TestTokensAcrossGateways:
    def test_a_token_from_one_gateway_is_accepted_by_another_on_another_port(
        self, database_url: str, tmp_path: Path
    ) -> None:
        with (
            GatewayProcess(database_url, tmp_path, "gw1") as gw1,
            GatewayProcess(database_url, tmp_path, "gw2") as gw2,
        ):
            assert gw1.port != gw2.port
            assert clients(gw2, gw1.token()).status_code == 200
            assert clients(gw1, gw2.token()).status_code == 200
            metadata = httpx.get(f"{gw2.url}/.well-known/oauth-authorization-server").json()
            assert metadata["issuer"] == "http://localhost:8080"  # the documented default


class TestIssuerMismatchWarning:
    def test_a_gateway_configured_with_another_issuer_warns_at_start(
        self, database_url: str, tmp_path: Path
    ) -> None:
        with GatewayProcess(database_url, tmp_path, "gw1", LGSP_ISSUER="https://lgsp.example.vn"):
            pass
        with GatewayProcess(database_url, tmp_path, "gw2", LGSP_ISSUER="http://gw2:8081") as gw2:
            warning = gw2.output()
        assert "issuer (LGSP_ISSUER) is http://gw2:8081" in warning
        assert "issued for https://lgsp.example.vn" in warning

    def test_gateways_that_agree_do_not_warn(self, database_url: str, tmp_path: Path) -> None:
        with GatewayProcess(database_url, tmp_path, "gw1", LGSP_ISSUER="https://lgsp.example.vn"):
            pass
        with GatewayProcess(database_url, tmp_path, "gw2", LGSP_ISSUER="https://lgsp.example.vn") as gw2:
            assert "LGSP_ISSUER" not in gw2.output()


class TestFirstKeyAtUpgrade:
    async def test_db_upgrade_makes_the_one_first_signing_key_for_the_configured_issuer(
        self, database_url: str, tmp_path: Path
    ) -> None:
        from gateway.oauth.models import KeyPurpose
        from gateway.oauth.repository import SigningKeyRepository
        from registry.storage import create_engine, create_sessionmaker
        from tests.harness import run_cli

        env = {
            "LGSP_DATABASE_URL": database_url,
            "LGSP_DATA_DIR": str(tmp_path),
            "LGSP_ISSUER": "https://lgsp.example.vn",
        }
        for _ in range(
            2
        ):  # gateways started together afterwards all load this key, and make none of their own
            result = await run_cli(["db", "upgrade"], env)
            assert result.exit_code == 0, result.output
        engine = create_engine(database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                keys = {
                    purpose: await SigningKeyRepository(session).active(purpose) for purpose in KeyPurpose
                }
        finally:
            await engine.dispose()
        for purpose in KeyPurpose:  # one to sign access tokens, one to sign bus envelopes
            assert [key.issuer for key in keys[purpose]] == ["https://lgsp.example.vn"]

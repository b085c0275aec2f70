"""The newcomer's tour from the command line against a gateway on a real port."""

from tests.harness import FIXTURES, LAND_SERVICE, LiveGateway, run_cli


class TestRegistryFromTheCommandLine:
    async def test_agency_database_contract_then_catalogue(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        created = await run_cli(["agency", "create", "H50.20", "Sở Tài nguyên và Môi trường"], env)
        assert created.exit_code == 0, created.output
        database = await run_cli(["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"], env)
        assert database.exit_code == 0, database.output
        registered = await run_cli(["contract", "register", str(LAND_SERVICE)], env)
        assert registered.exit_code == 0, registered.output
        assert "H50.20/tra-cuu-thua-dat/v1" in registered.output

        catalogue = await run_cli(["catalogue", "--json"], env)
        assert catalogue.exit_code == 0, catalogue.output
        assert '"H50.20/tra-cuu-thua-dat/v1"' in catalogue.output
        listed = await run_cli(["database", "list", "--agency", "H50.20"], env)
        assert "csdl-dat-dai" in listed.output

    async def test_client_secret_is_printed_once(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        created = await run_cli(
            ["client", "create", "H50", "Cổng dịch vụ công", "--id", "h50-cong-dvc", "--json"], env
        )
        assert created.exit_code == 0, created.output
        assert '"client_secret"' in created.output
        listed = await run_cli(["client", "list", "--json"], env)
        assert "h50-cong-dvc" in listed.output
        assert "client_secret" not in listed.output


class TestCommandLineErrors:
    async def test_refusal_is_one_line_with_non_zero_exit(self, live_gateway: LiveGateway) -> None:
        result = await run_cli(["agency", "create", "h50-bad", "X"], live_gateway.cli_env())
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        assert "Decision 20/2020" in result.output

    async def test_breaking_contract_is_refused_with_its_reason(self, live_gateway: LiveGateway) -> None:
        env = live_gateway.cli_env()
        await run_cli(["agency", "create", "H50.20", "Sở Tài nguyên và Môi trường"], env)
        await run_cli(["database", "create", "H50.20", "csdl-dat-dai", "CSDL đất đai"], env)
        await run_cli(["contract", "register", str(LAND_SERVICE)], env)
        refused = await run_cli(
            ["contract", "register", str(FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml")], env
        )
        assert refused.exit_code == 1
        assert "contract-incompatible" in refused.output

    async def test_wrong_credentials_are_one_line(self, live_gateway: LiveGateway) -> None:
        # a command that needs a token (public reads such as `agency list` ask for none)
        result = await run_cli(["client", "list"], live_gateway.cli_env(secret="wrong"))
        assert result.exit_code == 1
        assert "invalid-client" in result.output or "oauth-invalid-client" in result.output

    async def test_public_reads_ask_for_no_token(self, live_gateway: LiveGateway) -> None:
        # agencies, databases, contracts and the catalogue are public: no secret is checked (nor needed)
        result = await run_cli(["agency", "list", "--format", "json"], live_gateway.cli_env(secret="wrong"))
        assert result.exit_code == 0, result.output

    async def test_unreachable_gateway_is_one_line(self) -> None:
        from tests.services import free_port

        env = {
            "LGSP_URL": f"http://127.0.0.1:{free_port()}",
            "LGSP_CLIENT_ID": "x",
            "LGSP_CLIENT_SECRET": "y",
        }
        result = await run_cli(["agency", "list"], env)
        assert result.exit_code == 1
        assert "cannot reach the gateway" in result.output

    async def test_unknown_service_call_is_one_line(self, live_gateway: LiveGateway) -> None:
        result = await run_cli(["call", "H50.20/khong-co/v1", "--data", "{}"], live_gateway.cli_env())
        assert result.exit_code == 1
        assert "unknown-service" in result.output
        bad_json = await run_cli(["call", "H50.20/khong-co/v1", "--data", "{nope"], live_gateway.cli_env())
        assert bad_json.exit_code == 1
        assert "not JSON" in bad_json.output

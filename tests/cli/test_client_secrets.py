"""A client's one-time secret reaches the user whole: alone on its line, whatever the terminal's width."""

import base64

import httpx

from tests.harness import LiveGateway, run_cli


def secret_after(output: str, announcement: str) -> str:
    lines = output.splitlines()
    return lines[lines.index(announcement) + 1]


async def takes_a_token(gateway: LiveGateway, client_id: str, secret: str) -> bool:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    async with httpx.AsyncClient(base_url=gateway.url) as http:
        response = await http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
    return response.status_code == 200


class TestOneTimeSecrets:
    async def test_create_and_rotate_print_the_whole_secret_in_a_narrow_terminal(
        self, live_gateway: LiveGateway
    ) -> None:
        env = {**live_gateway.cli_env(), "COLUMNS": "40"}
        announcement = "client secret (shown this once; the platform keeps only a hash):"
        created = await run_cli(
            ["client", "create", "H50", "Cổng dịch vụ công tỉnh", "--id", "cong-dvc"], env
        )
        assert created.exit_code == 0, created.output
        secret = secret_after(created.output, announcement)
        assert await takes_a_token(live_gateway, "cong-dvc", secret)

        rotated = await run_cli(["client", "rotate-secret", "cong-dvc"], env)
        assert rotated.exit_code == 0, rotated.output
        new_secret = secret_after(rotated.output, announcement)
        assert new_secret != secret
        assert await takes_a_token(live_gateway, "cong-dvc", new_secret)
        assert not await takes_a_token(live_gateway, "cong-dvc", secret)

    def test_every_client_command_has_help(self) -> None:
        import typer

        from gateway.cli import app

        root = typer.main.get_command(app)
        context = typer.Context(root)
        group = root.get_command(context, "client")  # type: ignore[attr-defined]
        names = group.list_commands(context)
        assert {"list", "create", "disable", "enable", "rotate-secret", "delete"} <= set(names)
        for name in names:
            assert group.get_command(context, name).help, f"lgsp client {name} has no help text"

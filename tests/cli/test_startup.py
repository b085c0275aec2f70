"""`lgsp --help` and a registry command start without loading the server, the database or the contracts."""

import subprocess
import sys

HEAVY = ("fastapi", "sqlalchemy", "uvicorn", "joserfc", "jsonschema_rs", "gateway.app", "contracts.document")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sys.modules))"
    finished = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    return set(finished.stdout.split()[-1:] and finished.stdout.split())


class TestLazyStartUp:
    def test_help_imports_no_command(self) -> None:
        loaded = loaded_after(
            "from gateway.cli import app\nimport typer\n"
            "from typer.testing import CliRunner\nCliRunner().invoke(app, ['--help'])"
        )
        assert "typer" in loaded
        assert not [name for name in HEAVY if name in loaded]
        assert "registry.cli" not in loaded

    def test_a_registry_command_loads_only_the_client(self) -> None:
        loaded = loaded_after(
            "from gateway.cli import app\nfrom typer.testing import CliRunner\n"
            "CliRunner().invoke(app, ['agency', 'list'], env={'LGSP_URL': 'http://127.0.0.1:9', "
            "'LGSP_CLIENT_ID': 'a', 'LGSP_CLIENT_SECRET': 'b'})"
        )
        assert "registry.cli" in loaded
        assert "httpx" in loaded
        assert not [name for name in HEAVY if name in loaded]

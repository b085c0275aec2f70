"""`lgsp up` (the embedded default) serves bound services itself; a gateway on Kafka leaves it to `--http`."""

from pathlib import Path

from gateway.platform import platform_app
from tests.harness import gateway_settings


class TestLgspUp:
    async def test_the_platform_app_runs_the_http_connector_on_the_embedded_default(
        self, tmp_path: Path
    ) -> None:
        settings = gateway_settings(
            f"sqlite+aiosqlite:///{tmp_path / 'lgsp.db'}", tmp_path, warehouse_embedded="off"
        )
        app = platform_app(settings)
        async with app.router.lifespan_context(app):
            connector = app.state.http_backends
            assert connector is not None
            assert connector.bindings == {}
        assert app.state.http_backends is None

"""What the `lgsp` root command hands its subcommands: where the gateway is and who is calling.

Without a client id the CLI acts as the bootstrap admin, which only the settings know; they are read when a
command first needs the credentials, not at start-up.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from registry.cli import CliState, RegistryApi

if TYPE_CHECKING:
    from connectors.sdk.client import GatewayClient
    from gateway.settings import Settings


def read_settings() -> "Settings":
    from gateway.settings import Settings

    return Settings()


@dataclass
class GatewayCliState(CliState):
    url: str = "http://localhost:8080"
    given_id: str | None = None
    given_secret: str | None = None
    settings: Callable[[], "Settings"] = field(default=read_settings)

    @cached_property
    def credentials(self) -> tuple[str, str | None]:
        if self.given_id is not None:
            return self.given_id, self.given_secret
        # The bootstrap admin: configured, or the demo's admin/admin (which only a demo gateway accepts).
        settings = self.settings()
        secret = self.given_secret
        if secret is None:
            configured = settings.admin_client_secret
            secret = configured.get_secret_value() if configured else "admin"
        return settings.admin_client_id or "admin", secret

    @property
    def client_id(self) -> str:
        return self.credentials[0]

    @property
    def client_secret(self) -> str | None:
        return self.credentials[1]

    def client(self) -> "GatewayClient":
        from connectors.sdk.client import GatewayClient

        if self.given_id is not None:
            return GatewayClient(self.url, self.given_id, self.given_secret)

        class BootstrapAdminClient(GatewayClient):
            """Reads the bootstrap admin's credentials (the settings) only when a request needs a token: a
            public read (`get_public`) never loads the settings."""

            async def token(client) -> str:  # noqa: N805 (`self` is the state)
                if client.client_id is None:
                    client.client_id, client._secret = self.credentials
                return await GatewayClient.token(client)

            async def get(client, path: str, **params: Any) -> Any:  # noqa: N805
                return await client.send("GET", path, params=params)

        return BootstrapAdminClient(self.url)


def cli_state(url: str, client_id: str | None, client_secret: str | None) -> GatewayCliState:
    state: GatewayCliState

    def connect() -> AbstractAsyncContextManager[RegistryApi]:
        return state.client()

    state = GatewayCliState(connect=connect, url=url, given_id=client_id, given_secret=client_secret)
    return state

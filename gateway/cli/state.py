"""What the `lgsp` root command hands its subcommands: where the gateway is and who is calling."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from connectors.sdk.client import GatewayClient
from gateway.settings import Settings
from registry.cli import CliState, RegistryApi


@dataclass
class GatewayCliState(CliState):
    url: str = "http://localhost:8080"
    client_id: str | None = None
    client_secret: str | None = None
    settings: Callable[[], Settings] = Settings

    def client(self) -> GatewayClient:
        return GatewayClient(self.url, self.client_id, self.client_secret)


def cli_state(url: str, client_id: str | None, client_secret: str | None) -> GatewayCliState:
    def connect() -> AbstractAsyncContextManager[RegistryApi]:
        return GatewayClient(url, client_id, client_secret)

    return GatewayCliState(connect=connect, url=url, client_id=client_id, client_secret=client_secret)

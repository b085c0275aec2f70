"""The backend cipher and network guard of an app, made once from its settings."""

from pathlib import Path
from typing import Annotated, Protocol

from fastapi import Depends, Request
from pydantic import SecretStr

from registry.backends.networks import NetworkGuard
from registry.backends.secrets import BackendCipher


class BackendSettings(Protocol):
    """The part of the gateway's settings (`LGSP_BACKEND_*`) the binding API reads."""

    backend_secret_key: SecretStr | None
    backend_networks: list[str]
    data_dir: Path
    issuer: str


def backend_cipher(settings: BackendSettings) -> BackendCipher:
    key = settings.backend_secret_key.get_secret_value() if settings.backend_secret_key else None
    return BackendCipher.from_settings(key, settings.data_dir)


def network_guard(settings: BackendSettings) -> NetworkGuard:
    return NetworkGuard(settings.backend_networks, own_listeners=[settings.issuer])


def get_cipher(request: Request) -> BackendCipher:
    state = request.app.state
    if getattr(state, "backend_cipher", None) is None:
        state.backend_cipher = backend_cipher(state.settings)
    cipher: BackendCipher = state.backend_cipher
    return cipher


def get_guard(request: Request) -> NetworkGuard:
    state = request.app.state
    if getattr(state, "backend_guard", None) is None:
        state.backend_guard = network_guard(state.settings)
    guard: NetworkGuard = state.backend_guard
    return guard


CipherDep = Annotated[BackendCipher, Depends(get_cipher)]
GuardDep = Annotated[NetworkGuard, Depends(get_guard)]

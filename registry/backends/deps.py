"""The backend cipher and network guard of an app, made once from its settings."""

from typing import Annotated

from fastapi import Depends, Request

from gateway.settings import Settings
from registry.backends.networks import NetworkGuard
from registry.backends.secrets import BackendCipher


def backend_cipher(settings: Settings) -> BackendCipher:
    key = settings.backend_secret_key.get_secret_value() if settings.backend_secret_key else None
    return BackendCipher.from_settings(key, settings.data_dir)


def network_guard(settings: Settings) -> NetworkGuard:
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

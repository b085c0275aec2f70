"""The HTTP connector composed from a gateway's runtime (embedded default) or from settings (`--http`)."""

from gateway.runtime import GatewayRuntime
from registry.backends.connector import HttpBackends
from registry.backends.deps import backend_cipher, network_guard


def http_backends(runtime: GatewayRuntime) -> HttpBackends:
    settings = runtime.settings
    return HttpBackends(
        runtime.bus,
        runtime.sessionmaker,
        backend_cipher(settings),
        network_guard(settings),
        source=f"lgsp://{settings.instance_id}/http-backends",
        refresh=settings.registry_refresh_seconds,
    )

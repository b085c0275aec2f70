"""The connector SDK: write a department's connector in a few lines, serve it with `ConnectorRunner`.

The names are imported on first use, so that a tool needing only `GatewayClient` (the `lgsp` command line)
does not load the contracts, the bus and the key handling.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.sdk.client import ApiProblem, CallResult, GatewayClient
    from connectors.sdk.connector import Connector
    from connectors.sdk.context import RequestContext
    from connectors.sdk.datasets import ShareReport
    from connectors.sdk.keys import GatewayKeys
    from connectors.sdk.problems import ProviderProblem
    from connectors.sdk.runner import ConnectorRunner

_WHERE = {
    "ApiProblem": "client",
    "CallResult": "client",
    "GatewayClient": "client",
    "Connector": "connector",
    "RequestContext": "context",
    "ShareReport": "datasets",
    "GatewayKeys": "keys",
    "ProviderProblem": "problems",
    "ConnectorRunner": "runner",
}

__all__ = [
    "ApiProblem",
    "CallResult",
    "Connector",
    "ConnectorRunner",
    "GatewayClient",
    "GatewayKeys",
    "ProviderProblem",
    "RequestContext",
    "ShareReport",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'connectors.sdk' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"connectors.sdk.{module}"), name)
    globals()[name] = value
    return value

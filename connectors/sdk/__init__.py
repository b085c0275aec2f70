"""The connector SDK: write a department's connector in a few lines, serve it with `ConnectorRunner`."""

from connectors.sdk.client import ApiProblem, CallResult, GatewayClient
from connectors.sdk.connector import Connector
from connectors.sdk.context import RequestContext
from connectors.sdk.datasets import ShareReport
from connectors.sdk.keys import GatewayKeys
from connectors.sdk.problems import ProviderProblem
from connectors.sdk.runner import ConnectorRunner

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

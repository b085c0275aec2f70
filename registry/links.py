"""OpenAPI links from a created resource to the operations on it, so clients and tools (Schemathesis's
stateful runs, generated SDKs) know which answer field names which path parameter."""

from typing import Any


def _ref(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}"


def created_links(path: str, parameters: dict[str, str], methods: tuple[str, ...]) -> dict[int | str, Any]:
    """`responses=` for a POST answering 201: links to `methods` on `path`, each path parameter taken from the
    named field of the created resource."""
    values = {name: f"$response.body#/{field}" for name, field in parameters.items()}
    links = {
        f"{method.capitalize()}Created": {"operationRef": _ref(path, method), "parameters": values}
        for method in methods
    }
    return {201: {"description": "Created", "links": links}}

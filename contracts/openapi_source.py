"""Reading an OpenAPI 3.0/3.1 description for `lgsp contract import`: parsed, refused or validated, searched.

External `$ref`s (and circles of them) are refused before the description is validated, so that validating it
never fetches a file or a URL. Validation is openapi-spec-validator's (the python-openapi project's, for 3.0 and 3.1).
"""

import re
from dataclasses import dataclass
from typing import Any

from contracts import pointers
from contracts.errors import ContractMalformed, PayloadTooLarge
from contracts.loading import parse_data
from contracts.openapi_schemas import References, Unmappable

MAX_BYTES = 2 * 1024 * 1024
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VERSION = re.compile(r"^3\.(0|1)\.\d+$")
# subtrees that hold values, not description objects: a `$ref` key there is data
_LITERALS = frozenset({"example", "default", "enum", "const"})
MAX_LISTED = 20


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    at: str  # its JSON Pointer in the description
    node: dict[str, Any]
    path_item: dict[str, Any]
    path_item_at: str

    @property
    def id(self) -> str:
        return str(self.node["operationId"])


class OpenApiSource:
    """One parsed, validated OpenAPI 3.0 or 3.1 description."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.version = str(document["openapi"])
        self.oas30 = self.version.startswith("3.0.")
        self.references = References(document)

    @classmethod
    def parse(cls, data: bytes) -> "OpenApiSource":
        try:
            parsed = parse_data(data, max_bytes=MAX_BYTES)
        except (ContractMalformed, PayloadTooLarge) as error:
            raise Unmappable(error.detail) from None
        if not isinstance(parsed, dict):
            raise Unmappable("the file is not an OpenAPI description (its top level is not a mapping)")
        document = _string_keys(parsed, "")
        if "swagger" in document:
            raise Unmappable(
                f"Swagger {document['swagger']} (/swagger) is not imported: convert the description to "
                "OpenAPI 3 first"
            )
        version = document.get("openapi")
        if not isinstance(version, str) or _VERSION.match(version) is None:
            found = "no /openapi member" if version is None else f"/openapi is '{version}'"
            raise Unmappable(f"only OpenAPI 3.0 and 3.1 descriptions are imported ({found})")
        _check_refs(References(document), document, "")
        _validate(document)
        return cls(document)

    def operations(self) -> list[Operation]:
        found = []
        for path, item in (self.document.get("paths") or {}).items():
            item_at = "/paths/" + pointers.escape(path)
            item, item_at = self.references.follow(item, item_at)
            for method in METHODS:
                node = item.get(method)
                if isinstance(node, dict) and isinstance(node.get("operationId"), str):
                    found.append(Operation(method, path, f"{item_at}/{method}", node, item, item_at))
        return found

    def operation(self, operation_id: str) -> Operation:
        operations = self.operations()
        for operation in operations:
            if operation.id == operation_id:
                return operation
        names = sorted(operation.id for operation in operations)
        listed = ", ".join(names[:MAX_LISTED]) + (
            f" and {len(names) - MAX_LISTED} more" if names[MAX_LISTED:] else ""
        )
        raise Unmappable(
            f"no operation '{operation_id}' in the description; "
            + (f"its operations are: {listed}" if names else "it has no operation with an operationId")
        )


def _string_keys(node: Any, at: str) -> Any:
    """YAML reads `200:` as an integer; OpenAPI keys are strings (response codes above all)."""
    if isinstance(node, dict):
        copy = {}
        for key, value in node.items():
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise Unmappable(f"key {key!r} at {at or '/'} is not a string")
            copy[str(key)] = _string_keys(value, f"{at}/{pointers.escape(str(key))}")
        return copy
    if isinstance(node, list):
        return [_string_keys(item, f"{at}/{index}") for index, item in enumerate(node)]
    return node


def _check_refs(references: References, node: Any, at: str) -> None:
    """Every `$ref` names something in this file, and no chain of them goes round in a circle (the validator
    would recurse until Python stops it)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            references.follow(node, at)
        for key, value in node.items():
            if key not in _LITERALS and not key.startswith("x-"):
                _check_refs(references, value, f"{at}/{pointers.escape(key)}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            _check_refs(references, item, f"{at}/{index}")


def _validate(document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate  # half a second to import: only this command needs it
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as error:
        where = pointers.from_path(error.absolute_path) or "/"
        message = " ".join(str(error.message).split("\n\n")[0].split())  # not the schema and instance after
        raise Unmappable(
            f"not a valid OpenAPI {document['openapi']} description: {where}: {message}"
        ) from None
    except RecursionError:
        raise Unmappable("the description's references nest too deep to be validated") from None

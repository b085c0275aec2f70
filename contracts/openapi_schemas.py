"""An OpenAPI description's schemas as self-contained JSON Schema 2020-12, for `lgsp contract import`.

Every `$ref` is inlined (a contract's schemas hold nothing outside themselves); OpenAPI 3.0's dialect
(`nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`, `example`, OpenAPI-only keywords) is translated;
OpenAPI 3.1 schemas already are JSON Schema 2020-12 and pass through.
"""

from typing import Any
from urllib.parse import unquote

from contracts import pointers
from contracts.errors import LgspError
from contracts.subschemas import SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS

# inlining repeats a component at each use: a description that nests components in components would explode
MAX_INLINED_NODES = 50_000
ANNOTATIONS = frozenset(
    {"title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment"}
)
OAS30_ONLY = frozenset({"discriminator", "xml", "externalDocs"})


class Unmappable(LgspError):
    """A construct of an OpenAPI description that a contract cannot express; the detail names its pointer."""

    name, status, title = "openapi-unmappable", 422, "OpenAPI construct cannot be imported"


class References:
    """Local `$ref`s of one OpenAPI description, followed by JSON Pointer; nothing is ever fetched."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    @staticmethod
    def target(ref: str, at: str) -> str:
        """The JSON Pointer a `$ref` found at `at` names, or Unmappable for one to another file or URL."""
        if not ref.startswith("#"):
            raise Unmappable(
                f"external $ref '{ref}' at {at}: only references inside the file are followed; "
                "bundle the description into one file first"
            )
        return unquote(ref[1:])

    def lookup(self, ref: str, at: str) -> tuple[Any, str]:
        pointer = self.target(ref, at)
        try:
            return pointers.resolve(self.document, pointer), pointer
        except (KeyError, ValueError):
            raise Unmappable(f"$ref '{ref}' at {at} names nothing in the description") from None

    def follow(self, node: Any, at: str) -> tuple[Any, str]:
        """`node` itself, or what its (chain of) `$ref` names, with the pointer where it was found."""
        seen: set[str] = set()
        start = at
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if at in seen:
                raise Unmappable(f"the $ref at {start}/$ref leads back to itself through {at}")
            seen.add(at)
            node, at = self.lookup(node["$ref"], f"{at}/$ref")
        return node, at


class SchemaInliner:
    """Inlines and translates the schemas of one description; `inline(schema, at)` for each one used."""

    def __init__(self, references: References, *, oas30: bool) -> None:
        self.references = references
        self.oas30 = oas30
        self._nodes = 0

    def inline(self, schema: Any, at: str, chain: tuple[str, ...] = ()) -> Any:
        self._nodes += 1
        if self._nodes > MAX_INLINED_NODES:
            raise Unmappable(
                f"the schemas expand to more than {MAX_INLINED_NODES} values once their $refs are inlined "
                f"(at {at})"
            )
        if not isinstance(schema, dict):
            return schema  # true/false (3.1)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._inline_ref(schema, ref, at, chain)
        copy: dict[str, Any] = {}
        for keyword, value in schema.items():
            here = f"{at}/{pointers.escape(keyword)}"
            if keyword in SCHEMA_KEYWORDS and not isinstance(value, list):
                copy[keyword] = self.inline(value, here, chain)
            elif keyword in SCHEMA_KEYWORDS | SCHEMA_LIST_KEYWORDS and isinstance(value, list):
                copy[keyword] = [self.inline(item, f"{here}/{i}", chain) for i, item in enumerate(value)]
            elif keyword in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
                copy[keyword] = {
                    name: self.inline(item, f"{here}/{pointers.escape(name)}", chain)
                    for name, item in value.items()
                }
            else:
                copy[keyword] = value
        return from_oas30(copy) if self.oas30 else copy

    def _inline_ref(self, schema: dict[str, Any], ref: str, at: str, chain: tuple[str, ...]) -> Any:
        pointer = self.references.target(ref, f"{at}/$ref")
        if pointer in chain:
            raise Unmappable(
                f"recursive $ref '{ref}' at {at}/$ref: a contract's schemas are inlined, so a schema that "
                "contains itself cannot be imported"
            )
        target, where = self.references.lookup(ref, f"{at}/$ref")
        resolved = self.inline(target, where, (*chain, pointer))
        siblings = {keyword: value for keyword, value in schema.items() if keyword != "$ref"}
        if not siblings:
            return resolved
        siblings = self.inline(siblings, at, chain)
        annotations = {keyword: value for keyword, value in siblings.items() if keyword in ANNOTATIONS}
        # OpenAPI 3.0 ignores a reference's siblings; tools still show their description, so keep those
        others = {} if self.oas30 else {k: v for k, v in siblings.items() if k not in ANNOTATIONS}
        if not isinstance(resolved, dict):
            return resolved if self.oas30 else {"allOf": [resolved], **siblings}
        if others:
            return {"allOf": [resolved], **siblings}
        return {**resolved, **annotations}


def from_oas30(node: dict[str, Any]) -> dict[str, Any]:
    """One OpenAPI 3.0 schema object (its subschemas already translated) as JSON Schema 2020-12."""
    node = {k: v for k, v in node.items() if not k.startswith("x-") and k not in OAS30_ONLY}
    if "example" in node:
        node["examples"] = [node.pop("example")]
    for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(node.get(flag), bool) and node.pop(flag) and bound in node:
            node[flag] = node.pop(bound)
    if node.pop("nullable", False) is not True:
        return node
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node
    annotations = {k: node.pop(k) for k in list(node) if k in ANNOTATIONS}
    return {**annotations, "anyOf": [node, {"type": "null"}]}

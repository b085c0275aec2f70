"""Reading a contract document from YAML or JSON text, refusing anything unsafe or unsound.

`load_contract` parses (safely: no Python tags, no alias bombs, no absurd nesting), validates the document
model, then `check_document` checks what the model cannot: schemas, examples, sensitive pointers, keys.
"""

import math
from typing import Any

import orjson
import yaml
from pydantic import ValidationError

from contracts import pointers
from contracts.checks import check_document
from contracts.document import ContractDocument
from contracts.errors import ContractInvalid, ContractMalformed, PayloadTooLarge

MAX_BYTES = 262_144
MAX_DEPTH = 64
# every node counted as often as aliases repeat it: a billion-laughs document explodes here, not later
MAX_EXPANDED_NODES = 200_000

__all__ = ["MAX_BYTES", "check_document", "load_contract", "parse_data", "parse_document"]


class _ContractLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings, refuses duplicate keys and tracks nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ContractMalformed(
                    f"the document nests deeper than {MAX_DEPTH} levels (line {mark.line + 1})"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                mark = key_node.start_mark
                raise ContractMalformed(
                    f"duplicate key '{key}' at line {mark.line + 1}, column {mark.column + 1}"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 would turn an unquoted 2024-05-01 into a date, which is not JSON; keep it a string
_ContractLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _measure(
    node: yaml.Node, depth: int, seen: dict[int, tuple[int, int]], active: set[int]
) -> tuple[int, int]:
    """(values, height) of `node` as aliases expand it; refuses bombs, deep alias chains and cycles.

    Recursion stays within MAX_DEPTH: a node met again through an alias is not walked twice.
    """
    key = id(node)
    if key in seen:
        size, height = seen[key]
    elif key in active:
        raise ContractMalformed("the document refers to itself through a YAML alias")
    else:
        if depth > MAX_DEPTH:
            raise ContractMalformed(
                f"the document nests deeper than {MAX_DEPTH} levels (through YAML aliases)"
            )
        active.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [item for pair in node.value for item in pair]
        measured = [_measure(child, depth + 1, seen, active) for child in children]
        active.discard(key)
        size = 1 + sum(child_size for child_size, _ in measured)
        height = 1 + max((child_height for _, child_height in measured), default=0)
        seen[key] = (size, height)
    if size > MAX_EXPANDED_NODES:
        raise ContractMalformed(
            f"the document expands to more than {MAX_EXPANDED_NODES} values (YAML aliases repeat too much)"
        )
    if depth + height - 1 > MAX_DEPTH:
        raise ContractMalformed(f"the document nests deeper than {MAX_DEPTH} levels (through YAML aliases)")
    return size, height


def _parse_yaml(text: str) -> Any:
    loader = _ContractLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, 1, {}, set())
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        raise ContractMalformed(_yaml_error(error)) from None
    except yaml.YAMLError as error:
        raise ContractMalformed(f"the document is not valid YAML: {error}") from None
    finally:
        loader.dispose()


def _at(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_error(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    message = f"the document is not valid YAML{f' at {_at(mark)}' if mark else ''}: {error.problem or error.context}"
    if error.problem and error.context and error.context_mark:
        message += f" ({error.context} at {_at(error.context_mark)})"
    return message


def _parse_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ContractMalformed(
            f"the document is neither valid JSON (at line {error.lineno}, column {error.colno}: {error.msg}) "
            "nor valid YAML"
        ) from None


def _json_depth_ok(data: Any) -> None:
    # orjson parses up to 1024 levels; contracts never need more than MAX_DEPTH
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ContractMalformed(f"the document nests deeper than {MAX_DEPTH} levels")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _json_compatible(data: Any) -> list[dict[str, str]]:
    """Where YAML produced something JSON cannot hold (non-string keys, NaN/Infinity, binary)."""
    issues = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    issues.append(
                        {"pointer": pointer, "message": f"key {key!r} is not a string: quote it in YAML"}
                    )
                    continue
                stack.append((value, pointer + pointers.from_path([key])))
        elif isinstance(node, list):
            stack.extend((value, pointer + pointers.from_path([index])) for index, value in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            issues.append({"pointer": pointer, "message": f"{node} is not a JSON number"})
        elif node is not None and not isinstance(node, str | int | float | bool):
            issues.append({"pointer": pointer, "message": f"a {type(node).__name__} is not a JSON value"})
    return issues


def parse_data(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> Any:
    """The value of a YAML or JSON text, parsed with the limits above (also for OpenAPI descriptions)."""
    size = len(data) if isinstance(data, bytes) else len(data.encode())
    if size > max_bytes:
        raise PayloadTooLarge(f"the document is {size} bytes; at most {max_bytes} are accepted")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ContractMalformed(f"the document is not UTF-8 text (byte {error.start})") from None
    else:
        text = data
    if text.lstrip().startswith(("{", "[")):
        try:
            parsed = _parse_json(text)
        except ContractMalformed as not_json:
            # YAML flow style starts the same way ([a, b] or {a: 1}); YAML is a superset of JSON
            try:
                parsed = _parse_yaml(text)
            except ContractMalformed as not_yaml:
                yaml_reason = not_yaml.detail.removeprefix("the document is not valid YAML")
                raise ContractMalformed(f"{not_json.detail}{yaml_reason}") from None
        _json_depth_ok(parsed)
    else:
        parsed = _parse_yaml(text)
    return parsed


def parse_document(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """The raw mapping of a YAML or JSON contract document, before the model validates it."""
    parsed = parse_data(data, max_bytes=max_bytes)
    if not isinstance(parsed, dict):
        kind = "empty" if parsed is None else f"a {type(parsed).__name__}"
        raise ContractMalformed(f"a contract document is a mapping (kind, code, version, ...), not {kind}")
    if issues := _json_compatible(parsed):
        raise ContractInvalid(f"the document holds {len(issues)} value(s) JSON cannot hold", errors=issues)
    return parsed


def _pydantic_issues(error: ValidationError) -> list[dict[str, str]]:
    return [
        {
            "pointer": pointers.from_path(item["loc"]),
            "message": item["msg"].removeprefix("Value error, "),
        }
        for item in error.errors(include_url=False)
    ]


def load_contract(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> ContractDocument:
    """Parse, validate and check a contract document; raise `ContractInvalid` listing every problem."""
    parsed = parse_document(data, max_bytes=max_bytes)
    try:
        doc = ContractDocument.model_validate(parsed)
    except ValidationError as error:
        issues = _pydantic_issues(error)
        raise ContractInvalid(_summary(issues), errors=issues) from None
    if issues := check_document(doc):
        raise ContractInvalid(_summary(issues), errors=issues)
    return doc


def _summary(issues: list[dict[str, str]]) -> str:
    first = issues[0]
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return f"invalid contract: {first['pointer'] or '/'}: {first['message']}{more}"

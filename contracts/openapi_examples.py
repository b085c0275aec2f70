"""The examples of an OpenAPI operation as a contract's examples: each request paired with its answer.

OpenAPI keeps request and response examples apart (`example`, or `examples` by name, on a media type or a
parameter, or on the schema). A contract's example holds both, so they are paired by name; a lone request
example pairs with a lone answer. What cannot be paired is left out, with a note saying so.
"""

from dataclasses import dataclass
from typing import Any

from contracts import pointers
from contracts.openapi_schemas import References

MAX_NAME = 200


@dataclass(frozen=True)
class Example:
    name: str | None  # None: the description's single unnamed `example`
    value: Any
    at: str  # where in the description it comes from
    summary: str


def media_examples(
    references: References, node: dict[str, Any], at: str, schema: Any
) -> dict[str | None, Example]:
    """A media type's (or a parameter's) `examples` by name, or its `example`, or its schema's first example."""
    named: dict[str | None, Example] = {}
    for name, example in (node.get("examples") or {}).items():
        example, where = references.follow(example, f"{at}/examples/{pointers.escape(name)}")
        if "value" not in example:
            continue  # an externalValue is never fetched
        summary = str(example.get("summary") or example.get("description") or "")
        named[name] = Example(name, example["value"], f"{where}/value", summary)
    if named:
        return named
    if "example" in node:
        return {None: Example(None, node["example"], f"{at}/example", "")}
    if not isinstance(schema, dict):
        return {}
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return {None: Example(None, schema["examples"][0], f"{at}/schema", "")}
    if "example" in schema:  # OpenAPI 3.1 keeps 3.0's Schema Object `example`, deprecated
        return {None: Example(None, schema["example"], f"{at}/schema", "")}
    return {}


def pair_examples(
    requests: dict[str | None, Example], responses: dict[str | None, Example], notes: list[str]
) -> list[tuple[Example, Example]]:
    pairs = [(requests[name], responses[name]) for name in requests if name in responses]
    if not pairs and len(requests) == 1 and len(responses) == 1:
        pairs = [(next(iter(requests.values())), next(iter(responses.values())))]
    paired = {id(example) for pair in pairs for example in pair}
    for side, examples in (("request", requests), ("response", responses)):
        for example in examples.values():
            if id(example) not in paired:
                notes.append(
                    f"{side} example at {example.at} has no {'response' if side == 'request' else 'request'} "
                    "example of the same name: left out"
                )
    return pairs


def example_name(request: Example, response: Example, taken: set[str]) -> str:
    base = (request.name or response.name or "example")[:MAX_NAME]
    name, number = base, 2
    while name in taken:
        name = f"{base[: MAX_NAME - 4]}-{number}"
        number += 1
    taken.add(name)
    return name

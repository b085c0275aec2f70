"""Compiled validators for a contract version: built once, run on every exchange.

jsonschema-rs compiles each schema (Draft 2020-12) into a Rust validator; `validate` asks the cheap
`is_valid` first and only walks the errors of an instance that fails.
"""

from dataclasses import dataclass
from itertools import islice
from typing import Any

import jsonschema_rs

from contracts import pointers
from contracts.document import ContractDocument, JsonSchema

MAX_VIOLATIONS = 50
MAX_MESSAGE = 300


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason an instance fails its schema: where (RFC 6901 pointer into the instance; "" = root) and why."""

    pointer: str
    message: str  # may quote the instance's values: never for a party other than the one who sent them
    keyword: str = ""  # the schema keyword that failed (type, required, maxLength, ...): never a value

    def as_error(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


def _refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"'{uri}' is not a local reference; contract schemas never fetch remote schemas")


def compile_schema(schema: JsonSchema) -> jsonschema_rs.Validator:
    """A Draft 2020-12 validator that asserts `format` and never fetches a remote `$ref`.

    Raises `jsonschema_rs.ValidationError` (or ValueError) for a schema it cannot compile.
    """
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True, retriever=_refuse_retrieval)


def _shorten(message: str) -> str:
    # messages quote the failing instance, which can be a whole request body
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _message(error: jsonschema_rs.ValidationError) -> str:
    """jsonschema-rs's message; for a failed `oneOf`/`anyOf`, each alternative's first reason instead of the
    instance quoted whole, so that the missing or wrong property is named."""
    alternatives = getattr(error.kind, "context", None)
    keyword = {"OneOfNotValid": "oneOf", "AnyOf": "anyOf"}.get(type(error.kind).__name__)
    if keyword is None or not alternatives:
        return error.message
    reasons = []
    for number, branch in enumerate(alternatives, 1):
        # a `not` reason quotes schema and instance and names nothing: prefer any other
        errors = sorted(branch, key=lambda sub: type(sub.kind).__name__ == "Not")
        if errors:
            first = errors[0]
            where = pointers.from_path(first.instance_path[len(error.instance_path) :])
            reasons.append(f"({number}) {where + ': ' if where else ''}{_message(first)}")
    return f"matches none of the {keyword} alternatives: " + "; ".join(reasons)


class CompiledContract:
    """The validators of one contract version, by part (`request`/`response` or `record`)."""

    __slots__ = ("_validators", "document")

    def __init__(self, doc: ContractDocument) -> None:
        self.document = doc
        self._validators = {part: compile_schema(schema) for part, schema in doc.schemas().items()}

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self._validators)

    def validate(self, part: str, instance: object, *, limit: int = MAX_VIOLATIONS) -> list[Violation]:
        """The violations of `instance` against the `part` schema, at most `limit`; [] when it is valid."""
        try:
            validator = self._validators[part]
        except KeyError:
            raise ValueError(f"a {self.document.kind} contract has no '{part}' schema") from None
        if validator.is_valid(instance):
            return []
        return [
            Violation(
                pointers.from_path(error.instance_path),
                _shorten(_message(error)),
                str(error.schema_path[-1]) if error.schema_path else "",
            )
            for error in islice(validator.iter_errors(instance), limit)
        ]

    def is_valid(self, part: str, instance: object) -> bool:
        return self._validators[part].is_valid(instance)

    def validate_request(self, instance: object) -> list[Violation]:
        return self.validate("request", instance)

    def validate_response(self, instance: object) -> list[Violation]:
        return self.validate("response", instance)

    def validate_record(self, instance: object) -> list[Violation]:
        return self.validate("record", instance)


def compile_contract(doc: ContractDocument) -> CompiledContract:
    return CompiledContract(doc)

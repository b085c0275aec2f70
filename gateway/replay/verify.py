"""Contract verification: a contract's examples run against a connector, no gateway.

Each example's request goes to the connector (in-process bus, signed with a key made for the run); its answer
is compared with the example's response (the replay comparison, with its noise rules) and checked against the
contract's response schema.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.sdk import Connector
from contracts.document import ContractDocument, Kind
from contracts.validation import compile_contract
from gateway.replay.comparison import Comparison, Difference, compare
from gateway.replay.noise import CompiledRules
from gateway.replay.recording import Answer
from gateway.replay.targets import CannotReplay, ConnectorTarget, SendFailed


@dataclass
class ExampleResult:
    name: str
    expected: Answer
    answer: Answer | None
    comparison: Comparison = field(default_factory=Comparison)
    failure: str | None = None  # no answer at all

    @property
    def passed(self) -> bool:
        return self.failure is None and self.comparison.same

    @property
    def first_problem(self) -> str:
        if self.failure:
            return self.failure
        return self.comparison.differences[0].describe() if self.comparison.differences else ""

    def diff(self) -> str:
        return self.comparison.unified_diff(self.expected, self.answer) if self.answer else ""


async def verify_contract(
    document: ContractDocument, connectors: Sequence[Connector], rules: CompiledRules
) -> list[ExampleResult]:
    """The result of each example of a service contract against the connector serving it."""
    if document.kind is not Kind.SERVICE:
        raise CannotReplay(f"{document.address} is a dataset; only a service's examples can be verified")
    address = str(document.address)
    if not any(document.address in connector.services for connector in connectors):
        raise CannotReplay(f"no connector given serves {address}")
    schema = compile_contract(document)
    results = []
    async with ConnectorTarget(connectors, documents=[document]) as target:
        for example in document.examples:
            expected = Answer(status=200, body=example.response)
            try:
                answer = await target.send(address, example.request, consumer=None, reference=example.name)
            except SendFailed as exc:
                results.append(ExampleResult(example.name, expected, None, failure=str(exc)))
                continue
            comparison = compare(expected, answer, rules)
            if answer.status < 400:
                comparison.differences.extend(
                    Difference("response-contract", v.pointer, document.version, v.message)
                    for v in schema.validate_response(answer.body)
                )
            results.append(ExampleResult(example.name, expected, answer, comparison))
    return results

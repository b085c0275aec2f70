"""Replaying selected exchanges on a target, several at once, and judging each answer on its own.

Every exchange is replayed, identical requests included (no deduplication): a connector whose answer to the
same request changes between calls shows up.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.document import ContractDocument
from contracts.validation import CompiledContract, Violation, compile_contract
from gateway.replay.comparison import Difference, compare
from gateway.replay.noise import CompiledRules, NoiseRules
from gateway.replay.recording import RecordedExchange
from gateway.replay.report import ExchangeResult, ReplayReport, Verdict
from gateway.replay.targets import SendFailed, Target


@dataclass
class ReplayOptions:
    rules: CompiledRules
    concurrency: int = 8
    include_masked: bool = False
    contract: ContractDocument | None = None  # a newer version both requests and answers must match

    @classmethod
    def default(cls) -> "ReplayOptions":
        return cls(NoiseRules().compile())


class ContractCheck:
    """The newer contract version: recorded requests, sent as recorded, and the answers must both match it."""

    def __init__(self, document: ContractDocument) -> None:
        self.document = document
        self.address = str(document.address)
        self.compiled: CompiledContract = compile_contract(document)

    def request(self, request: object) -> list[Difference]:
        return self._differences("request", self.compiled.validate_request(request))

    def response(self, body: object) -> list[Difference]:
        return self._differences("response", self.compiled.validate_response(body))

    def _differences(self, part: str, violations: list[Violation]) -> list[Difference]:
        return [
            Difference(f"{part}-contract", v.pointer, self.document.version, v.message) for v in violations
        ]


class Replayer:
    def __init__(
        self,
        target: Target,
        options: ReplayOptions,
        on_result: Callable[[ExchangeResult], None] | None = None,
    ) -> None:
        self.target = target
        self.options = options
        self.on_result = on_result
        self.check = ContractCheck(options.contract) if options.contract else None

    def skip_reason(self, exchange: RecordedExchange) -> str | None:
        if self.check is not None and exchange.address != self.check.address:
            return f"not a call of {self.check.address} (the service of --contract)"
        if exchange.request is None:
            return (
                "request not captured (capture_payloads was off, or the request was refused before capture)"
            )
        if exchange.status is None or exchange.outcome == "pending":
            return "no answer was recorded (still pending)"
        if not self.options.include_masked and (masked := exchange.masked_request_pointers()):
            return f"request carries masked values ({', '.join(masked[:3])}); --include-masked sends them"
        return self.target.refusal(exchange.address)

    async def one(self, exchange: RecordedExchange) -> ExchangeResult:
        if reason := self.skip_reason(exchange):
            return ExchangeResult(exchange, Verdict.SKIPPED, reason)
        started = time.perf_counter()
        try:
            answer = await self.target.send(
                exchange.address, exchange.request, consumer=exchange.consumer, reference=exchange.id
            )
        except SendFailed as exc:
            return ExchangeResult(exchange, Verdict.FAILED, str(exc), seconds=time.perf_counter() - started)
        comparison = compare(exchange.answer, answer, self.options.rules)
        if self.check is not None:
            comparison.differences[:0] = self.check.request(exchange.request)
            if answer.status < 400:
                comparison.differences.extend(self.check.response(answer.body))
        verdict = Verdict.SAME if comparison.same else Verdict.DIFFERENT
        return ExchangeResult(
            exchange, verdict, answer=answer, comparison=comparison, seconds=time.perf_counter() - started
        )

    async def run(self, exchanges: Sequence[RecordedExchange]) -> list[ExchangeResult]:
        slots = asyncio.Semaphore(self.options.concurrency)

        async def judged(exchange: RecordedExchange) -> ExchangeResult:
            async with slots:
                result = await self.one(exchange)
            if self.on_result is not None:
                self.on_result(result)
            return result

        return list(await asyncio.gather(*(judged(exchange) for exchange in exchanges)))


async def replay(
    exchanges: Sequence[RecordedExchange],
    target: Target,
    options: ReplayOptions | None = None,
    *,
    source: str = "",
    on_result: Callable[[ExchangeResult], None] | None = None,
) -> ReplayReport:
    """Replay `exchanges` on a started `target` and compare each answer with the recorded one."""
    replayer = Replayer(target, options or ReplayOptions.default(), on_result)
    results = await replayer.run(exchanges)
    return ReplayReport(source=source, target=target.description, results=results)

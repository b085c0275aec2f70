"""The outcome of a replay: one result per exchange and the counts a tester (and CI) reads."""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from gateway.replay.comparison import Comparison, Difference
from gateway.replay.recording import Answer, RecordedExchange


class Verdict(StrEnum):
    SAME = "same"
    DIFFERENT = "different"
    FAILED = "failed"  # could not be sent, or no answer to compare
    SKIPPED = "skipped"


@dataclass
class ExchangeResult:
    exchange: RecordedExchange
    verdict: Verdict
    reason: str | None = None  # why it was skipped or failed
    answer: Answer | None = None
    comparison: Comparison = field(default_factory=Comparison)
    seconds: float = 0.0

    @property
    def differences(self) -> list[Difference]:
        return self.comparison.differences

    @property
    def first_difference(self) -> str:
        return self.differences[0].describe() if self.differences else ""

    @property
    def status_pair(self) -> str:
        replayed = self.answer.status if self.answer else "—"
        return f"{self.exchange.status or '—'} → {replayed}"

    def diff(self) -> str:
        """The unified diff of the recorded and replayed bodies (pretty JSON, sorted keys)."""
        if self.answer is None:
            return ""
        return self.comparison.unified_diff(self.exchange.answer, self.answer)


@dataclass
class ReplayReport:
    source: str
    target: str
    results: list[ExchangeResult]

    def count(self, verdict: Verdict) -> int:
        return sum(1 for result in self.results if result.verdict is verdict)

    @property
    def replayed(self) -> int:
        """Exchanges sent and answered (same or different)."""
        return self.count(Verdict.SAME) + self.count(Verdict.DIFFERENT)

    @property
    def masked(self) -> int:
        return sum(result.comparison.masked for result in self.results)

    def summary(self) -> dict[str, int]:
        return {
            "selected": len(self.results),
            "replayed": self.replayed,
            "same": self.count(Verdict.SAME),
            "different": self.count(Verdict.DIFFERENT),
            "failed": self.count(Verdict.FAILED),
            "skipped": self.count(Verdict.SKIPPED),
            "masked_not_compared": self.masked,
        }

    def skip_reasons(self) -> Counter[str]:
        return Counter(r.reason or "" for r in self.results if r.verdict is Verdict.SKIPPED)

    @property
    def passed(self) -> bool:
        return not any(r.verdict in (Verdict.DIFFERENT, Verdict.FAILED) for r in self.results)

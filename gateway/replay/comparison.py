"""Comparing a replayed answer with the recorded one, under noise rules.

The walk builds a view of each body in which whatever the rules call equal is made equal (ignored fields
dropped from both, masked, normalised or tolerated values taken from the recording, unordered arrays put in the
recording's order), so the unified diff of the two views shows exactly the differences, with real values.
Fields masked in the recording (`***`) are never compared: they are counted.
"""

import difflib
from dataclasses import dataclass, field
from typing import Any

import orjson

from contracts import pointers
from gateway.exchangelog.capture import MASK
from gateway.replay.noise import CompiledRules
from gateway.replay.recording import Answer

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str  # status, error-type, changed, added, removed, request-contract, response-contract
    pointer: str = ""
    expected: Any = None
    actual: Any = None

    def describe(self) -> str:
        where = self.pointer or "/"
        if self.kind == "status":
            return f"status {self.expected} → {self.actual}"
        if self.kind == "error-type":
            return f"problem type {self.expected} → {self.actual}"
        if self.kind == "added":
            return f"{where}: added {_short(self.actual)}"
        if self.kind == "removed":
            return f"{where}: removed (was {_short(self.expected)})"
        if self.kind.endswith("-contract"):
            part = self.kind.removesuffix("-contract")
            return f"{part} does not match contract {self.expected} at {where}: {self.actual}"
        return f"{where}: {_short(self.expected)} → {_short(self.actual)}"


def _short(value: Any, limit: int = 80) -> str:
    text = orjson.dumps(value).decode() if value is not _ABSENT else "nothing"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    masked: int = 0  # values masked in the recording, not compared
    expected_view: Any = None
    actual_view: Any = None

    @property
    def same(self) -> bool:
        return not self.differences

    def unified_diff(self, expected: Answer, actual: Answer) -> str:
        """The two bodies as pretty JSON with sorted keys, after the rules, as a unified diff."""
        recorded = _pretty(self.expected_view if self.expected_view is not None else expected.body)
        replayed = _pretty(self.actual_view if self.actual_view is not None else actual.body)
        lines = difflib.unified_diff(
            recorded.splitlines(),
            replayed.splitlines(),
            f"recorded (status {expected.status})",
            f"replayed (status {actual.status})",
            lineterm="",
        )
        return "\n".join(lines)


def _pretty(body: Any) -> str:
    if body is None:
        return "(no body recorded)"
    return orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


class _Walk:
    def __init__(self, rules: CompiledRules) -> None:
        self.rules = rules
        self.differences: list[Difference] = []
        self.masked = 0

    def trial(self, expected: Any, actual: Any, pointer: str) -> tuple["_Walk", Any, Any]:
        walk = _Walk(self.rules)
        views = walk.value(expected, actual, pointer)
        return walk, *views

    def value(self, expected: Any, actual: Any, pointer: str) -> tuple[Any, Any]:
        if isinstance(expected, str) and expected == MASK:
            self.masked += 1
            return expected, expected
        if isinstance(expected, dict) and isinstance(actual, dict):
            return self.objects(expected, actual, pointer)
        if isinstance(expected, list) and isinstance(actual, list):
            if self.rules.unordered(pointer):
                return self.multiset(expected, actual, pointer)
            return self.arrays(expected, actual, pointer)
        if self.same_scalar(expected, actual):
            return expected, expected
        self.differences.append(Difference("changed", pointer, expected, actual))
        return expected, actual

    def same_scalar(self, expected: Any, actual: Any) -> bool:
        if isinstance(expected, bool) or isinstance(actual, bool):
            return expected is actual
        if isinstance(expected, int | float) and isinstance(actual, int | float):
            return expected == actual or abs(expected - actual) <= self.rules.tolerance
        if isinstance(expected, str) and isinstance(actual, str):
            return self.rules.same_text(expected, actual)
        return type(expected) is type(actual) and expected == actual

    def objects(self, expected: dict[str, Any], actual: dict[str, Any], pointer: str) -> tuple[Any, Any]:
        expected_view: dict[str, Any] = {}
        actual_view: dict[str, Any] = {}
        for key in sorted(expected.keys() | actual.keys()):
            child = f"{pointer}/{pointers.escape(key)}"
            if self.rules.ignored(child):
                continue
            if key not in actual:
                self.differences.append(Difference("removed", child, expected[key], _ABSENT))
                expected_view[key] = expected[key]
            elif key not in expected:
                self.differences.append(Difference("added", child, _ABSENT, actual[key]))
                actual_view[key] = actual[key]
            else:
                expected_view[key], actual_view[key] = self.value(expected[key], actual[key], child)
        return expected_view, actual_view

    def arrays(self, expected: list[Any], actual: list[Any], pointer: str) -> tuple[Any, Any]:
        expected_view, actual_view = [], []
        for index in range(max(len(expected), len(actual))):
            child = f"{pointer}/{index}"
            if self.rules.ignored(child):
                continue
            if index >= len(actual):
                self.differences.append(Difference("removed", child, expected[index], _ABSENT))
                expected_view.append(expected[index])
            elif index >= len(expected):
                self.differences.append(Difference("added", child, _ABSENT, actual[index]))
                actual_view.append(actual[index])
            else:
                pair = self.value(expected[index], actual[index], child)
                expected_view.append(pair[0])
                actual_view.append(pair[1])
        return expected_view, actual_view

    def multiset(self, expected: list[Any], actual: list[Any], pointer: str) -> tuple[Any, Any]:
        """Each recorded item matched with an equal replayed item wherever it is; the rest compared in order."""
        unmatched = list(range(len(actual)))
        expected_view: list[Any] = [None] * len(expected)
        actual_view: list[Any] = [None] * len(expected)
        leftovers = []
        for index, item in enumerate(expected):
            child = f"{pointer}/{index}"
            for position in unmatched:
                walk, expected_item, actual_item = self.trial(item, actual[position], child)
                if not walk.differences:
                    self.masked += walk.masked
                    expected_view[index], actual_view[index] = expected_item, actual_item
                    unmatched.remove(position)
                    break
            else:
                leftovers.append(index)
        rest = [actual[position] for position in unmatched]
        for index, position in zip(leftovers, range(len(rest)), strict=False):
            child = f"{pointer}/{index}"
            expected_view[index], actual_view[index] = self.value(expected[index], rest[position], child)
        for index in leftovers[len(rest) :]:
            self.differences.append(Difference("removed", f"{pointer}/{index}", expected[index], _ABSENT))
            expected_view[index] = expected[index]
            actual_view[index] = _ABSENT
        for extra in rest[len(leftovers) :]:
            self.differences.append(Difference("added", f"{pointer}/-", _ABSENT, extra))
            actual_view.append(extra)
        return expected_view, [item for item in actual_view if item is not _ABSENT]


def compare(expected: Answer, actual: Answer, rules: CompiledRules) -> Comparison:
    """The differences between a recorded answer and a replayed one (status, problem type, body)."""
    comparison = Comparison()
    if expected.status != actual.status:
        comparison.differences.append(Difference("status", "", expected.status, actual.status))
    elif expected.error_type and actual.error_type and expected.error_type != actual.error_type:
        comparison.differences.append(Difference("error-type", "", expected.error_type, actual.error_type))
    both_answered = expected.status < 400 and actual.status < 400
    if both_answered and expected.body is not None:
        walk = _Walk(rules)
        comparison.expected_view, comparison.actual_view = walk.value(expected.body, actual.body, "")
        comparison.differences.extend(walk.differences)
        comparison.masked = walk.masked
    return comparison

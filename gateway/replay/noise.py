"""Noise rules: what a replay comparison ignores or normalises, from flags and/or a small YAML file.

```yaml
ignore: [/items/*/updated_at, /request_id]   # JSON Pointers; * is one segment, ** any number of them
unordered: [/items]                          # arrays compared as multisets (or: true, for every array)
tolerance: 0.001                             # numbers equal within this absolute difference
timestamps: true                             # any two RFC 3339 date-times are equal
ids: true                                    # any two UUIDs are equal
id_patterns: ["^HS-[0-9]{8}$"]               # ... and any two strings matching one of these
```
"""

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.errors import InvalidInput

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class RulesInvalid(InvalidInput):
    name, title = "rules-invalid", "Invalid noise rules"


def pointer_pattern(pattern: str) -> re.Pattern[str]:
    """A JSON Pointer pattern as a regular expression over pointers (`*` one segment, `**` any number)."""
    if pattern == "":
        return re.compile(r"^$")
    if not pattern.startswith("/"):
        raise RulesInvalid(f"'{pattern}' is not a JSON Pointer pattern (it must start with '/')")
    parts = []
    for segment in pattern[1:].split("/"):
        if segment == "**":
            parts.append(r"(?:/[^/]*)*")
        elif segment == "*":
            parts.append(r"/[^/]*")
        else:
            parts.append("/" + re.escape(segment))
    return re.compile("^" + "".join(parts) + "$")


class NoiseRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ignore: list[str] = Field(default_factory=list)
    unordered: bool | list[str] = False
    tolerance: float = Field(default=0.0, ge=0)
    timestamps: bool = False
    ids: bool = False
    id_patterns: list[str] = Field(default_factory=list)

    def merged(self, other: "NoiseRules") -> "NoiseRules":
        """Both sets of rules at once (flags add to a rules file)."""
        unordered: bool | list[str]
        if self.unordered is True or other.unordered is True:
            unordered = True
        else:
            unordered = [*(self.unordered or []), *(other.unordered or [])]
        return NoiseRules(
            ignore=[*self.ignore, *other.ignore],
            unordered=unordered,
            tolerance=max(self.tolerance, other.tolerance),
            timestamps=self.timestamps or other.timestamps,
            ids=self.ids or other.ids,
            id_patterns=[*self.id_patterns, *other.id_patterns],
        )

    def compile(self) -> "CompiledRules":
        return CompiledRules(self)


class CompiledRules:
    """The rules with their patterns compiled once, asked at every node of every comparison."""

    def __init__(self, rules: NoiseRules) -> None:
        self.rules = rules
        self._ignore = [pointer_pattern(p) for p in rules.ignore]
        self.unordered_everywhere = rules.unordered is True
        patterns = rules.unordered if isinstance(rules.unordered, list) else []
        self._unordered = [pointer_pattern(p) for p in patterns]
        self.tolerance = rules.tolerance
        generated = [UUID] if rules.ids else []
        try:
            generated += [re.compile(p) for p in rules.id_patterns]
        except re.error as exc:
            raise RulesInvalid(f"id_patterns: '{exc.pattern!s}' is not a regular expression: {exc}") from None
        self._generated = generated
        self._timestamps = rules.timestamps

    def ignored(self, pointer: str) -> bool:
        return any(p.match(pointer) for p in self._ignore)

    def unordered(self, pointer: str) -> bool:
        return self.unordered_everywhere or any(p.match(pointer) for p in self._unordered)

    def same_text(self, expected: str, actual: str) -> bool:
        """Equal strings, or both timestamps / both generated ids of one kind when those are normalised."""
        if expected == actual:
            return True
        if self._timestamps and TIMESTAMP.match(expected) and TIMESTAMP.match(actual):
            return True
        return any(p.match(expected) and p.match(actual) for p in self._generated)


def load_rules(path: Path) -> NoiseRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesInvalid(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise RulesInvalid(f"{path} is not YAML: {getattr(exc, 'problem', None) or exc}{where}") from None
    try:
        return NoiseRules.model_validate(data or {})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        raise RulesInvalid(f"{path}: {where}: {error['msg']}") from None


def rules_from(path: Path | None, flags: NoiseRules) -> CompiledRules:
    """The rules file (if any) with the flags added, compiled (patterns checked now)."""
    rules = load_rules(path).merged(flags) if path is not None else flags
    return rules.compile()

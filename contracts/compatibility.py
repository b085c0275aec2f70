"""Contract compatibility (DESIGN.md §7a): may a new minor/patch version replace the earlier ones of its major?

Backward: the new schema reads data written under the old one (readers upgrade first). Forward: the old schema
reads data written under the new one. Full: both. A service's request is read by its provider and its response
by its consumers, so "backward" for a service checks the request backward and the response forward (old
consumers must read new replies); "forward" swaps the two. A dataset's record is read by the warehouse.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.document import CompatibilityMode, ContractDocument, JsonSchema
from contracts.schema_diff import diff_schemas

_SWAPPED = {
    CompatibilityMode.BACKWARD: CompatibilityMode.FORWARD,
    CompatibilityMode.FORWARD: CompatibilityMode.BACKWARD,
    CompatibilityMode.FULL: CompatibilityMode.FULL,
}


@dataclass(frozen=True, slots=True)
class BreakingChange:
    """One change that breaks the compatibility rule: its stable `kind`, where in the schema, and why."""

    kind: str
    pointer: str
    message: str
    part: str = ""
    against: str = ""

    def as_error(self) -> dict[str, str]:
        error = {"pointer": self.pointer, "message": self.message, "kind": self.kind}
        if self.part:
            error["part"] = self.part
        if self.against:
            error["against"] = self.against
        return error


def _one_way(
    writer: JsonSchema, reader: JsonSchema, writer_name: str, reader_name: str
) -> list[BreakingChange]:
    return [
        BreakingChange(
            difference.kind,
            difference.pointer,
            difference.message.replace("{writer}", writer_name).replace("{reader}", reader_name),
        )
        for difference in diff_schemas(writer, reader)
        if difference.breaking
    ]


def check_schema(old: JsonSchema, new: JsonSchema, mode: CompatibilityMode) -> list[BreakingChange]:
    """The breaking changes from `old` to `new` under `mode` (transitivity does not apply to one pair)."""
    base = mode.base
    changes: list[BreakingChange] = []
    if base in (CompatibilityMode.BACKWARD, CompatibilityMode.FULL):
        changes += _one_way(old, new, "old", "new")
    if base in (CompatibilityMode.FORWARD, CompatibilityMode.FULL):
        changes += [change for change in _one_way(new, old, "new", "old") if change not in changes]
    return changes


def part_mode(part: str, mode: CompatibilityMode) -> CompatibilityMode:
    """The direction a part is checked in: a response is read by the other side, so its direction flips."""
    if mode is CompatibilityMode.NONE:
        return mode
    return _SWAPPED[mode.base] if part == "response" else mode.base


def check_compatibility(
    previous: Sequence[ContractDocument], new: ContractDocument, *, mode: CompatibilityMode | None = None
) -> list[BreakingChange]:
    """The breaking changes of `new` against the earlier versions of its major (ascending) under its rule.

    The rule is `new.compatibility` unless `mode` overrides it: non-transitive modes check the latest
    previous version only, `*_transitive` every one, `none` nothing.
    """
    rule = mode or new.compatibility
    if rule is CompatibilityMode.NONE or not previous:
        return []
    against = previous if rule.transitive else previous[-1:]
    changes: list[BreakingChange] = []
    for old in against:
        if old.kind is not new.kind:
            changes.append(
                BreakingChange(
                    "KIND_CHANGED", "/kind", f"a {old.kind} cannot become a {new.kind}", "", old.version
                )
            )
            continue
        if old.key != new.key:
            message = f"the warehouse upserts by {old.key}; a new key {new.key} needs a new major"
            changes.append(BreakingChange("KEY_CHANGED", "/key", message, "record", old.version))
        old_schemas, new_schemas = old.schemas(), new.schemas()
        for part, new_schema in new_schemas.items():
            changes += [
                BreakingChange(change.kind, change.pointer, change.message, part, old.version)
                for change in check_schema(old_schemas[part], new_schema, part_mode(part, rule))
            ]
    return changes

"""The contract document (DESIGN.md §4): a versioned definition of a service or a dataset."""

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts.addresses import AGENCY_CODE, AGENCY_CODE_MAX, CODE, CODE_MAX, Address

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

JsonSchema = dict[str, Any]


class Kind(StrEnum):
    SERVICE = "service"
    DATASET = "dataset"


class Classification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"
    PERSONAL = "personal"


class CompatibilityMode(StrEnum):
    BACKWARD = "backward"
    FORWARD = "forward"
    FULL = "full"
    BACKWARD_TRANSITIVE = "backward_transitive"
    FORWARD_TRANSITIVE = "forward_transitive"
    FULL_TRANSITIVE = "full_transitive"
    NONE = "none"

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_transitive")

    @property
    def base(self) -> "CompatibilityMode":
        return CompatibilityMode(self.value.removesuffix("_transitive"))


def version_key(version: str) -> tuple[int, int, int, int, str]:
    """Sort key for semver strings: a pre-release sorts before its release."""
    match = SEMVER.match(version)
    if match is None:
        raise ValueError(f"'{version}' is not a semantic version")
    major, minor, patch, pre = int(match[1]), int(match[2]), int(match[3]), match[4]
    return (major, minor, patch, 0 if pre else 1, pre or "")


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    request: Any = None
    response: Any = None
    record: Any = None


class ContractBackend(BaseModel):
    """Where a service's calls go when it is served by an HTTP backend (registry/backends); no secrets here:
    auth is set through the binding API."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(max_length=2000, pattern=r"^https?://")
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class ContractDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    code: str = Field(max_length=CODE_MAX, pattern=CODE.pattern)
    version: str = Field(max_length=64)
    provider: str = Field(max_length=AGENCY_CODE_MAX, pattern=AGENCY_CODE.pattern)
    database: str = Field(max_length=CODE_MAX, pattern=CODE.pattern)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    classification: Classification = Classification.INTERNAL
    compatibility: CompatibilityMode = CompatibilityMode.BACKWARD
    request: JsonSchema | None = None
    response: JsonSchema | None = None
    record: JsonSchema | None = None
    key: list[str] = Field(default_factory=list)
    sensitive: list[str] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    backend: ContractBackend | None = None

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if SEMVER.match(value) is None:
            raise ValueError("must be a semantic version such as 1.2.0")
        return value

    @field_validator("sensitive")
    @classmethod
    def _pointers(cls, value: list[str]) -> list[str]:
        for pointer in value:
            if not pointer.startswith("/"):
                raise ValueError(f"'{pointer}' is not a JSON Pointer (it must start with '/')")
        return value

    @model_validator(mode="after")
    def _parts_match_kind(self) -> "ContractDocument":
        if self.kind is Kind.SERVICE:
            missing = [part for part in ("request", "response") if getattr(self, part) is None]
            extra = [part for part in ("record",) if getattr(self, part) is not None] + (
                ["key"] if self.key else []
            )
        else:
            missing = [part for part in ("record",) if getattr(self, part) is None] + (
                [] if self.key else ["key"]
            )
            extra = [part for part in ("request", "response", "backend") if getattr(self, part) is not None]
        if missing:
            raise ValueError(f"a {self.kind} contract needs: {', '.join(missing)}")
        if extra:
            raise ValueError(f"a {self.kind} contract has no: {', '.join(extra)}")
        return self

    @property
    def version_key(self) -> tuple[int, int, int, int, str]:
        return version_key(self.version)

    @property
    def major(self) -> int:
        return self.version_key[0]

    @property
    def address(self) -> Address:
        return Address(self.provider, self.code, self.major)

    def schemas(self) -> dict[str, JsonSchema]:
        """The document's schemas by part name: request/response for a service, record for a dataset."""
        parts = ("request", "response") if self.kind is Kind.SERVICE else ("record",)
        return {part: schema for part in parts if (schema := getattr(self, part)) is not None}

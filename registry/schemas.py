"""Schemas shared by the registry's APIs."""

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: Sequence[Item]
    total: int
    offset: int
    limit: int


class PatchBody(BaseModel):
    """A PATCH body: a field left out stays as it is; `null` only clears the fields listed in `nullable`."""

    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value

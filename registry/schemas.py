"""Schemas shared by the registry's APIs."""

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: Sequence[Item]
    total: int
    offset: int
    limit: int

"""The base of every repository: the one place queries are built (Polar's pattern)."""

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

Model = TypeVar("Model", bound=SQLModel)


class Repository(Generic[Model]):
    model: ClassVar[type[Any]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: Any) -> Model | None:
        found: Model | None = await self.session.get(self.model, key)
        return found

    def select(self) -> SelectOfScalar[Model]:
        return select(self.model)

    async def count(self, statement: Select[Any] | SelectOfScalar[Any] | Any) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        return int(total or 0)

    async def page(
        self, statement: SelectOfScalar[Model], offset: int, limit: int
    ) -> tuple[Sequence[Model], int]:
        rows = await self.session.exec(statement.offset(offset).limit(limit))
        return rows.all(), await self.count(statement)

    async def all(self, statement: SelectOfScalar[Model]) -> Sequence[Model]:
        return (await self.session.exec(statement)).all()

    async def first(self, statement: SelectOfScalar[Model]) -> Model | None:
        return (await self.session.exec(statement.limit(1))).first()

    async def exists(self, statement: SelectOfScalar[Any]) -> bool:
        return (await self.session.exec(statement.limit(1))).first() is not None

    async def add(self, instance: Model) -> Model:
        self.session.add(instance)
        await self.session.flush()
        return instance

    async def delete(self, instance: Model) -> None:
        await self.session.delete(instance)
        await self.session.flush()

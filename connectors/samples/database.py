"""A sample department's own offline database: one SQLite file, created once, then read by its connector."""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.samples.geography import commune

Json = dict[str, Any]
Lookup = Callable[..., Json]  # lookup(connection, **request) -> response
RecordsQuery = Callable[..., list[Json]]  # records(connection, *, offset, limit) -> records in key order
COMMUNE_ONLY = 2  # the major version that dropped the district (`ten_huyen`): districts ended on 01/07/2025


@contextmanager
def new_database(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    """A fresh database file at `path` (any old file is replaced) with `schema` applied; commits on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(schema)
        yield connection
        connection.commit()
    finally:
        connection.close()


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection whose rows read by column name; usable from a worker thread."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection


def first(connection: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> Json | None:
    """The first row of a query as a dict by column name, whatever the connection's row factory."""
    cursor = connection.execute(sql, params)
    row = cursor.fetchone()
    return None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))


def rows(connection: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Json]:
    cursor = connection.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def without_none(value: Json) -> Json:
    """Optional fields are left out of an answer rather than sent as null."""
    return {key: item for key, item in value.items() if item is not None}


def dump(path: Path) -> list[str]:
    """The database as SQL statements, to compare two generated files."""
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@dataclass(frozen=True, slots=True)
class SampleDatabase:
    """One department database of the demo province, and the queries its sample connector answers with."""

    name: str  # the domain package: "dat_dai"
    provider: str  # agency code: "H50.20"
    database: str  # database code: "csdl-dat-dai"
    create: Callable[..., None]  # create(path, *, size=default_size, seed=seed)
    default_size: int
    seed: int
    services: dict[str, Lookup] = field(default_factory=dict)  # service code -> lookup
    datasets: dict[str, RecordsQuery] = field(default_factory=dict)  # dataset code -> records query
    with_district: frozenset[str] = frozenset()  # codes whose 1.x versions name the district; 2.0.0 does not

    def majors(self, code: str) -> tuple[int, ...]:
        return (1, COMMUNE_ONLY) if code in self.with_district else (1,)

    def service(self, code: str, major: int) -> Lookup:
        """The query answering major `major` of service `code`."""
        lookup = self.services[code]
        if major >= COMMUNE_ONLY or code not in self.with_district:
            return lookup

        def answer(connection: sqlite3.Connection, **request: Any) -> Json:
            return with_former_district(lookup(connection, **request))

        answer.__name__ = answer.__qualname__ = f"{lookup.__name__}_v{major}"
        return answer

    def dataset(self, code: str, major: int) -> RecordsQuery:
        """The records query of major `major` of dataset `code`."""
        records = self.datasets[code]
        if major >= COMMUNE_ONLY or code not in self.with_district:
            return records

        def shared(connection: sqlite3.Connection, **page: Any) -> list[Json]:
            return [with_former_district(record) for record in records(connection, **page)]

        shared.__name__ = shared.__qualname__ = f"{records.__name__}_v{major}"
        return shared


def with_former_district(record: Json) -> Json:
    """A 1.x answer: the commune's data, and the district its seat belonged to until 30/06/2025."""
    if "ma_xa" not in record:
        return record
    return {**record, "ten_huyen": commune(record["ma_xa"]).former_district}

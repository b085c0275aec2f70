"""A sample department's own offline database: one SQLite file, created once, then read by its connector."""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Json = dict[str, Any]
Lookup = Callable[..., Json]  # lookup(connection, **request) -> response
RecordsQuery = Callable[..., list[Json]]  # records(connection, *, offset, limit) -> records in key order


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

"""The demo province's sample connectors: each answers its department's services from its own SQLite
database and shares its datasets into the warehouse. `lgsp up --demo` runs them in-process;
`lgsp connector run connectors.samples.connectors:build_connectors` runs them against Kafka."""

import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.samples.catalogue import SAMPLES
from connectors.samples.database import Json, Lookup, RecordsQuery, SampleDatabase, connect
from connectors.sdk import Connector

SHARE_EVERY = timedelta(hours=6)
PAGE = 500


def _answer(lookup: Lookup, connection: sqlite3.Connection) -> Callable[[dict[str, Any]], Json]:
    def answer(request: dict[str, Any]) -> Json:
        return lookup(connection, **request)

    answer.__name__ = answer.__qualname__ = lookup.__name__
    return answer


def _produce(
    records: RecordsQuery, connection: sqlite3.Connection
) -> Callable[[datetime | None], list[Json]]:
    def produce(since: datetime | None) -> list[Json]:
        # The sample databases do not change: everything is shared on the first run, nothing after.
        if since is not None:
            return []
        shared: list[Json] = []
        while page := records(connection, offset=len(shared), limit=PAGE):
            shared.extend(page)
        return shared

    produce.__name__ = produce.__qualname__ = records.__name__
    return produce


def sample_connector(
    sample: SampleDatabase, directory: Path, *, datasets: bool = True, majors: tuple[int, ...] | None = None
) -> Connector:
    """The connector of one sample department, its database created on first use; `datasets=False` serves
    its services only, `majors` only those major versions (default: every one the sample answers)."""
    path = directory / f"{sample.name}.sqlite"
    if not path.exists():
        sample.create(path)
    connection = connect(path)
    connector = Connector(sample.provider, sample.database)
    for code in sample.services:
        for major in _wanted(sample.majors(code), majors):
            connector.service(code, major=major)(_answer(sample.service(code, major), connection))
    for code in sample.datasets if datasets else ():
        for major in _wanted(sample.majors(code), majors):
            produce = _produce(sample.dataset(code, major), connection)
            connector.dataset(code, major=major, every=SHARE_EVERY)(produce)
    return connector


def _wanted(answered: tuple[int, ...], wanted: tuple[int, ...] | None) -> tuple[int, ...]:
    return answered if wanted is None else tuple(m for m in answered if m in wanted)


def build_connectors(
    directory: Path | None = None, samples: Iterable[SampleDatabase] = SAMPLES
) -> list[Connector]:
    """Every sample connector; their databases live in `directory` (default: $LGSP_DATA_DIR/samples)."""
    directory = directory or Path(os.environ.get("LGSP_DATA_DIR", ".lgsp")) / "samples"
    directory.mkdir(parents=True, exist_ok=True)
    return [sample_connector(sample, directory) for sample in samples]

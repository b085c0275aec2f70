"""Cassettes: selected exchanges in a JSON Lines file, so testers share recordings without database access.

The first line is a header (format, version, source, when exported, the selection); each further line one
`RecordedExchange`. Payloads stay masked as captured; no token or secret is ever written.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from contracts.errors import InvalidInput
from gateway.replay.recording import RecordedExchange

FORMAT: Final = "lgsp-replay-cassette"
FORMAT_VERSION = 1


class CassetteInvalid(InvalidInput):
    name, title = "cassette-invalid", "Invalid cassette"


class CassetteHeader(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: Literal["lgsp-replay-cassette"] = "lgsp-replay-cassette"
    format_version: int = FORMAT_VERSION
    source: str
    exported_at: datetime
    exchanges: int
    selection: dict[str, Any] = {}


def write_cassette(
    path: Path, exchanges: Iterable[RecordedExchange], *, source: str, selection: dict[str, Any]
) -> CassetteHeader:
    recorded = list(exchanges)
    header = CassetteHeader(
        source=source, exported_at=datetime.now(UTC), exchanges=len(recorded), selection=selection
    )
    with path.open("wb") as out:
        out.write(orjson.dumps(header.model_dump(mode="json")) + b"\n")
        for exchange in recorded:
            out.write(orjson.dumps(exchange.model_dump(mode="json")) + b"\n")
    return header


def _problem(path: Path, line: int, what: str) -> CassetteInvalid:
    return CassetteInvalid(f"{path} line {line}: {what}")


def _header(path: Path, number: int, first: Any) -> CassetteHeader:
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise _problem(path, number, f"not a cassette header (format {FORMAT!r})")
    if first.get("format_version") != FORMAT_VERSION:
        version = first.get("format_version")
        raise _problem(path, number, f"format version {version} (this lgsp reads {FORMAT_VERSION})")
    return CassetteHeader.model_validate(first)


def read_cassette(path: Path) -> tuple[CassetteHeader, list[RecordedExchange]]:
    """The header and exchanges of a cassette; `CassetteInvalid` naming the line of anything malformed."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise CassetteInvalid(f"cannot read {path}: {exc.strerror or exc}") from None
    header: CassetteHeader | None = None
    exchanges: list[RecordedExchange] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = orjson.loads(line)
            if header is None:
                header = _header(path, number, item)
            else:
                exchanges.append(RecordedExchange.model_validate(item))
        except orjson.JSONDecodeError as exc:
            raise _problem(path, number, f"not JSON ({exc})") from None
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = "/".join(str(part) for part in error["loc"])
            raise _problem(path, number, f"{where}: {error['msg']}") from None
    if header is None:
        raise CassetteInvalid(f"{path} is empty; a cassette starts with its header line")
    return header, exchanges

"""Options shared by `lgsp replay run|export` and `lgsp contract verify`: selection, noise rules, failing."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from contracts.document import ContractDocument
from contracts.errors import LgspError
from contracts.loading import load_contract
from gateway.cli.errors import stderr
from gateway.replay.noise import CompiledRules, NoiseRules, rules_from
from gateway.replay.selection import Selection

CANNOT_RUN = 2  # exit status when the command cannot do its work; 1 means "something differs"

AddressOption = Annotated[
    str | None, typer.Option("--address", help="service address, e.g. H50.20/tra-cuu-thua-dat/v1")
]
VersionOption = Annotated[
    str | None, typer.Option("--version", help="contract version: exact (1.2.0) or a prefix (1, 1.2)")
]
ConsumerOption = Annotated[str | None, typer.Option("--consumer", help="consumer agency code")]
OutcomeOption = Annotated[str | None, typer.Option("--outcome", help="ok, provider_error, timeout, ...")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="received at or after (RFC 3339; UTC if bare)")
]
UntilOption = Annotated[str | None, typer.Option("--until", help="received before (RFC 3339; UTC if bare)")]
IdOption = Annotated[list[str] | None, typer.Option("--id", help="an exchange id (repeat for more)")]
LimitOption = Annotated[int | None, typer.Option("--limit", min=1, help="at most N, the most recent")]
CapturedOnlyOption = Annotated[
    bool,
    typer.Option(
        "--captured-only",
        help="only exchanges whose request was captured (the replayable ones; history is not)",
    ),
]

RulesOption = Annotated[Path | None, typer.Option("--rules", help="noise rules file (YAML)")]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore", help="JSON Pointer (pattern) not compared, e.g. /items/*/updated_at; repeatable"
    ),
]
UnorderedOption = Annotated[bool, typer.Option("--unordered", help="compare every array as a multiset")]
ToleranceOption = Annotated[float, typer.Option("--tolerance", min=0, help="numbers equal within this")]
TimestampsOption = Annotated[
    bool, typer.Option("--normalise-timestamps", help="any two RFC 3339 date-times are equal")
]
IdsOption = Annotated[bool, typer.Option("--normalise-ids", help="any two UUIDs are equal")]
JunitOption = Annotated[Path | None, typer.Option("--junit", help="write JUnit XML here (for CI)")]
ConnectorOption = Annotated[
    str | None,
    typer.Option("--connector", metavar="MODULE:APP", help="a Connector (or a list, or a factory)"),
]
AppDirOption = Annotated[Path, typer.Option("--app-dir", help="directory to import MODULE from")]


def fail(message: str) -> NoReturn:
    one_line = " ".join(message.split())
    stderr.print(f"[red]error:[/red] {escape(one_line)}", soft_wrap=True)
    raise typer.Exit(CANNOT_RUN)


def moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not an RFC 3339 time (e.g. 2026-11-20T08:30:00+07:00)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def selection(
    address: str | None,
    version: str | None,
    consumer: str | None,
    outcome: str | None,
    since: str | None,
    until: str | None,
    ids: list[str] | None,
    limit: int | None,
    captured_only: bool = False,
) -> Selection:
    return Selection(
        address=address,
        version=version,
        consumer=consumer,
        outcome=outcome,
        since=moment(since, "--since"),
        until=moment(until, "--until"),
        ids=tuple(ids or ()),
        limit=limit,
        captured_only=captured_only,
    )


def noise_rules(
    rules: Path | None,
    ignore: list[str] | None,
    unordered: bool,
    tolerance: float,
    timestamps: bool,
    ids: bool,
) -> CompiledRules:
    flags = NoiseRules(
        ignore=ignore or [], unordered=unordered, tolerance=tolerance, timestamps=timestamps, ids=ids
    )
    return rules_from(rules, flags)


def contract_file(path: Path) -> ContractDocument:
    """A contract document from a file, or a one-line error naming the file."""
    try:
        return load_contract(path.read_bytes())
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    except LgspError as exc:
        fail(f"{path}: {exc.detail}")

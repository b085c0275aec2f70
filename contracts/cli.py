"""`lgsp contract ...`: lint a contract, check a new version's compatibility, export OpenAPI / AsyncAPI.

Exit status, the same for `lint`, `check` and `lgsp contract register`: 0 fine; 1 a document is refused (it
cannot be parsed, is not a valid contract, or breaks compatibility), whichever command found it; 2 the command
cannot do its work as asked (a file that cannot be read, versions that cannot be compared, a usage mistake).
"""

from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from contracts.asyncapi import datasets_asyncapi
from contracts.compatibility import check_compatibility
from contracts.document import CompatibilityMode, ContractDocument, Kind
from contracts.errors import ContractInvalid, ContractMalformed, PayloadTooLarge
from contracts.loading import load_contract
from contracts.openapi import service_openapi

app = typer.Typer(
    name="contract",
    help="Lint contract documents, check a new version's compatibility, export OpenAPI and AsyncAPI.",
    no_args_is_help=True,
)

FileArgument = Annotated[Path, typer.Argument(help="A contract document (YAML or JSON)", show_default=False)]
ServerOption = Annotated[str, typer.Option("--server", help="The gateway's base URL")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the JSON here instead of standard output")
]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


REFUSED, CANNOT_RUN = 1, 2


def _fail(message: str, status: int = CANNOT_RUN) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(status)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        _fail(f"cannot read {path}: {error.strerror or error}")


def _load(path: Path) -> ContractDocument:
    """A valid contract, or a one-line error: exit 1 for a refused document, 2 for a file that cannot be read."""
    try:
        return load_contract(_read(path))
    except (ContractMalformed, PayloadTooLarge) as error:
        _fail(f"{path}: {error.detail}", REFUSED)
    except ContractInvalid as error:
        _fail(f"{path} is not a valid contract ({error.detail}); see `lgsp contract lint {path}`", REFUSED)


def _write_json(document: dict[str, Any], output: Path | None) -> None:
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")


@app.command()
def lint(file: FileArgument) -> None:
    """Load a contract and check its schemas, examples, sensitive pointers and keys."""
    console = _console()
    try:
        doc = load_contract(_read(file))
    except (ContractMalformed, PayloadTooLarge) as error:
        _fail(f"{file}: {error.detail}", REFUSED)
    except ContractInvalid as error:
        console.print(f"✗ {file}: {len(error.errors)} problem(s)", style="bold red", markup=False)
        for issue in error.errors:
            console.print(f"{issue['pointer'] or '/'}: {issue['message']}", markup=False)
        raise typer.Exit(1) from None
    summary = Table.grid(padding=(0, 2))
    for label, value in (
        ("kind", str(doc.kind)),
        ("address", str(doc.address)),
        ("version", doc.version),
        ("title", doc.title),
        ("classification", str(doc.classification)),
        ("compatibility", str(doc.compatibility)),
        ("examples", str(len(doc.examples))),
        ("sensitive fields", str(len(doc.sensitive))),
    ):
        summary.add_row(label, value)
    console.print(f"✓ {file} is a valid contract", style="bold green", markup=False)
    console.print(summary)


@app.command()
def check(
    old: Annotated[Path, typer.Argument(help="The published version", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The candidate version", show_default=False)],
    mode: Annotated[
        CompatibilityMode | None,
        typer.Option("--mode", help="Override the compatibility rule NEW declares", case_sensitive=False),
    ] = None,
) -> None:
    """Check that NEW may replace OLD under NEW's compatibility rule (or --mode); exit 1 if it breaks it."""
    previous, candidate = _load(old), _load(new)
    if (previous.kind, previous.provider, previous.code) != (
        candidate.kind,
        candidate.provider,
        candidate.code,
    ):
        _fail(
            f"{new} is {candidate.kind} {candidate.address}, not a version of {previous.kind} {previous.address}"
        )
    if previous.major != candidate.major:
        _fail(
            f"{candidate.version} is major {candidate.major}, {previous.version} major {previous.major}: "
            "a new major is a new address and is not checked against the old one"
        )
    if candidate.version_key <= previous.version_key:
        _fail(f"{candidate.version} is not newer than {previous.version}")
    rule = mode or candidate.compatibility
    console = _console()
    if rule is CompatibilityMode.NONE:
        console.print(f"compatibility 'none': {candidate.version} is not checked", markup=False)
        return
    changes = check_compatibility([previous], candidate, mode=rule)
    if not changes:
        console.print(
            f"✓ {candidate.version} is {rule}-compatible with {previous.version}",
            style="bold green",
            markup=False,
        )
        return
    table = Table(
        title=f"{len(changes)} breaking change(s) under {rule}", title_justify="left", show_lines=True
    )
    table.add_column("part / pointer", overflow="fold", ratio=2)
    table.add_column("kind / why", ratio=3)
    for change in changes:
        why = Text(change.kind, style="bold")
        why.append("\n" + change.message, style="default")
        table.add_row(Text(f"{change.part}\n{change.pointer or '/'}"), why)
    console.print(
        f"✗ {candidate.version} breaks {rule} compatibility with {previous.version}",
        style="bold red",
        markup=False,
    )
    console.print(table)
    raise typer.Exit(1)


@app.command()
def openapi(
    file: FileArgument,
    server: ServerOption = "http://localhost:8080",
    output: OutputOption = None,
) -> None:
    """Print the OpenAPI 3.1 document of a service contract."""
    doc = _load(file)
    if doc.kind is not Kind.SERVICE:
        _fail(f"{file} is a dataset; use `lgsp contract asyncapi {file}`")
    _write_json(service_openapi(doc, server_url=server), output)


@app.command()
def asyncapi(
    file: FileArgument,
    server: ServerOption = "http://localhost:8080",
    kafka: Annotated[str | None, typer.Option("--kafka", help="Kafka bootstrap servers to name")] = None,
    output: OutputOption = None,
) -> None:
    """Print the AsyncAPI 3.0 document of a dataset contract."""
    doc = _load(file)
    if doc.kind is not Kind.DATASET:
        _fail(f"{file} is a service; use `lgsp contract openapi {file}`")
    _write_json(datasets_asyncapi([doc], server_url=server, kafka_bootstrap=kafka), output)


@app.command("import")
def import_openapi(
    file: Annotated[Path, typer.Argument(help="An OpenAPI 3.0 or 3.1 description (YAML or JSON)")],
    operation: Annotated[
        str, typer.Option("--operation", help="The operationId to import", show_default=False)
    ],
    provider: Annotated[str, typer.Option("--provider", help="The provider agency's code, e.g. H50.20")],
    database: Annotated[str, typer.Option("--database", help="The provider's database, e.g. csdl-dat-dai")],
    code: Annotated[
        str | None, typer.Option("--code", help="The service code; by default the operationId in kebab-case")
    ] = None,
    version: Annotated[str, typer.Option("--version", help="The contract's version")] = "1.0.0",
    bind: Annotated[
        bool, typer.Option("--bind", help="Write the backend URL (servers[0] and the path) into the draft")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the draft here instead of standard output")
    ] = None,
) -> None:
    """Write a draft service contract from one operation of an OpenAPI description; exit 1 if it cannot be
    mapped (the construct and its JSON Pointer are named)."""
    from contracts.addresses import is_agency_code, is_code
    from contracts.document import SEMVER
    from contracts.openapi_draft import ImportOptions, import_operation, kebab_case
    from contracts.openapi_schemas import Unmappable

    if not is_agency_code(provider):
        _fail(f"--provider '{provider}' is not an agency code such as H50.20")
    if not is_code(database):
        _fail(f"--database '{database}' is not a code such as csdl-dat-dai")
    if code is not None and not is_code(code):
        _fail(f"--code '{code}' is not a code such as tra-cuu-thua-dat (lower-case letters, digits, hyphens)")
    if code is None and not is_code(kebab_case(operation)):
        _fail(f"operationId '{operation}' gives no usable code; give one with --code")
    if SEMVER.match(version) is None:
        _fail(f"--version '{version}' is not a semantic version such as 1.0.0")
    options = ImportOptions(operation, provider, database, code, version, bind)
    try:
        draft = import_operation(_read(file), file.name, options)
    except Unmappable as error:
        _fail(f"{file}: {error.detail}", REFUSED)
    except ContractInvalid as error:
        typer.echo(f"error: {file}: {error.detail}", err=True)
        for place in error.errors:
            typer.echo(f"  {place['pointer'] or '/'}: {place['message']}", err=True)
        raise typer.Exit(REFUSED) from None
    for note in draft.notes:
        typer.echo(f"note: {note}", err=True)
    if output is None:
        typer.echo(draft.yaml(), nl=False)
        return
    try:
        output.write_text(draft.yaml(), encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(
        f"wrote {output}: {draft.document['provider']}/{draft.document['code']} {version}, a draft to review"
    )

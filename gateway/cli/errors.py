"""One-line errors and a non-zero exit for everything a user can get wrong, never a traceback.

Typer (0.29+) ships its own copy of Click as `typer._click`; the group type comes from there. The error types
of httpx, pydantic, the SDK and the contracts are imported only when something has gone wrong, so that a
command that does not use them does not pay for them at start-up.
"""

import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer._click import Context
from typer._click.exceptions import ClickException, UsageError

from gateway.cli.lazy import LazyGroup

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
MAX_PLACES = 20


class CliError(Exception):
    """A failure to report on one line (exit 1)."""


def settings_problem(exc: Any) -> str:
    """A pydantic ValidationError of the settings, as the variable to fix."""
    first = exc.errors()[0]
    name = "LGSP_" + "_".join(str(part) for part in first.get("loc", ())).upper()
    return f"invalid setting {name}: {first.get('msg', 'invalid')}"


def print_error(message: str) -> None:
    stderr.print(f"[red]error:[/red] {escape(' '.join(message.split()))}", markup=True)


def print_places(errors: object) -> None:
    """Where a refusal applies (a problem's `errors`: breaking changes, invalid fields), one line each."""
    if not isinstance(errors, list):
        return
    for error in errors[:MAX_PLACES]:
        if isinstance(error, dict):
            where = " ".join(str(error[key]) for key in ("part", "pointer") if error.get(key)) or "/"
            kind = f" [{error['kind']}]" if error.get("kind") else ""
            stderr.print(f"  {where}: {error.get('message', '')}{kind}", markup=False)
    if len(errors) > MAX_PLACES:
        stderr.print(f"  … and {len(errors) - MAX_PLACES} more (--json shows them all)", markup=False)


def usage_problem(exc: ClickException) -> str:
    """Click's usage error (a missing argument, a bad value, a file that is not there) as one line, not a panel."""
    message = exc.format_message().rstrip(".")
    context = exc.ctx if isinstance(exc, UsageError) else None
    return f"{message} (see `{context.command_path} --help`)" if context is not None else message


def one_line(exc: Exception, ctx: Context) -> tuple[str, object] | None:
    """The message (and the places, if any) for an error a user can cause; None for a bug."""
    import httpx
    from pydantic import ValidationError

    from connectors.sdk.client import ApiProblem
    from contracts.errors import LgspError

    if isinstance(exc, CliError):
        return str(exc), None
    if isinstance(exc, ApiProblem):
        return exc.one_line(), exc.problem.get("errors")
    if isinstance(exc, LgspError):
        return exc.detail, None
    if isinstance(exc, ValidationError):
        return settings_problem(exc), None
    if isinstance(exc, httpx.ConnectError):
        url = ctx.find_root().params.get("url", "the gateway")
        return f"cannot reach the gateway at {url}; is `lgsp up` running?", None
    if isinstance(exc, httpx.HTTPError):
        return f"HTTP error talking to the gateway: {exc}", None
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):  # `| head`: Typer exits quietly
        return str(exc), None
    return None


class LgspGroup(LazyGroup):
    """Prints the platform's errors, raised anywhere below, as one line on stderr and exits 1; usage errors as
    one line too (exit 2), rather than Typer's boxed panel."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # the help was printed: `lgsp agency` alone
                sys.exit(exc.exit_code)
            print_error(usage_problem(exc))
            sys.exit(exc.exit_code)
        except typer.Abort:
            print_error("aborted")
            sys.exit(1)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except Exception as exc:
            known = one_line(exc, ctx)
            if known is None:
                raise
            print_error(known[0])
            print_places(known[1])
            raise typer.Exit(1) from None

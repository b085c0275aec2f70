"""One-line errors and a non-zero exit for everything a user can get wrong, never a traceback.

Typer (0.29+) ships its own copy of Click as `typer._click`; the group and exception types come from there.
"""

from typing import Any

import httpx
from rich.console import Console
from typer._click import Context
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from connectors.sdk.client import ApiProblem
from contracts.errors import LgspError

stderr = Console(stderr=True, highlight=False)


class CliError(ClickException):
    exit_code = 1

    def show(self, file: Any = None) -> None:
        stderr.print(f"[red]error:[/red] {self.message}", markup=True, soft_wrap=True)


class LgspGroup(TyperGroup):
    """Turns the platform's errors, raised anywhere below, into `CliError`."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ApiProblem as exc:
            raise CliError(exc.one_line()) from None
        except LgspError as exc:
            raise CliError(exc.detail) from None
        except httpx.ConnectError:
            url = ctx.find_root().params.get("url", "the gateway")
            raise CliError(f"cannot reach the gateway at {url}; is `lgsp up` running?") from None
        except httpx.HTTPError as exc:
            raise CliError(f"HTTP error talking to the gateway: {exc}") from None
        except OSError as exc:
            raise CliError(str(exc)) from None

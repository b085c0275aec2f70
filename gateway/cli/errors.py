"""One-line errors and a non-zero exit for everything a user can get wrong, never a traceback.

Typer (0.29+) ships its own copy of Click as `typer._click`; the group type comes from there.
"""

from typing import Any

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer._click import Context
from typer.core import TyperGroup

from connectors.sdk.client import ApiProblem
from contracts.errors import LgspError

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A failure to report on one line (exit 1)."""


def settings_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    name = "LGSP_" + "_".join(str(part) for part in first.get("loc", ())).upper()
    return f"invalid setting {name}: {first.get('msg', 'invalid')}"


class LgspGroup(TyperGroup):
    """Prints the platform's errors, raised anywhere below, as one line on stderr and exits 1."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as exc:
            message = str(exc)
        except ApiProblem as exc:
            message = exc.one_line()
        except LgspError as exc:
            message = exc.detail
        except ValidationError as exc:
            message = settings_problem(exc)
        except httpx.ConnectError:
            url = ctx.find_root().params.get("url", "the gateway")
            message = f"cannot reach the gateway at {url}; is `lgsp up` running?"
        except httpx.HTTPError as exc:
            message = f"HTTP error talking to the gateway: {exc}"
        except OSError as exc:
            message = str(exc)
        stderr.print(f"[red]error:[/red] {escape(message)}", markup=True)
        raise typer.Exit(1)

"""Subcommands imported only when they run, so that `lgsp --help` and a registry command start fast.

Each entry names the module attribute that holds the command (a Typer app or a command function) and its
one-line help. Listing the commands for `lgsp --help` uses that help and imports nothing; resolving a command to
run it (or to show its own help) imports its module.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer._click import Command, Context
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "module:attribute": a Typer app, a command function, or a factory returning a Typer app
    help: str

    def load(self, name: str) -> Command:
        module_name, _, attribute = self.target.partition(":")
        found: Any = getattr(importlib.import_module(module_name), attribute)
        if isinstance(found, Callable) and getattr(found, "__lazy_factory__", False):  # type: ignore[arg-type]
            found = found()
        if isinstance(found, typer.Typer):
            command: Command = typer.main.get_group(found)  # a group even when it holds one command
        else:
            single = typer.Typer()
            single.command(name)(found)
            command = typer.main.get_command(single)
        command.name = name
        command.help = command.help or self.help
        return command


def factory(function: Callable[[], typer.Typer]) -> Callable[[], typer.Typer]:
    """Marks a function that builds a Typer app when the command is first used."""
    function.__lazy_factory__ = True  # type: ignore[attr-defined]
    return function


class LazyGroup(TyperGroup):
    """A group whose `lazy` commands are imported when resolved, and merely described when listed for help."""

    lazy: ClassVar[dict[str, LazyCommand]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False
        self._loaded: dict[str, Command] = {}

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        spec = self.lazy.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(name=cmd_name, help=spec.help)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = spec.load(cmd_name)
        return self._loaded[cmd_name]

    def format_help(self, ctx: Context, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

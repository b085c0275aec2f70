"""The `lgsp` command line: one of the gateway's two composition roots (the other is the sandbox)."""

from gateway.cli.main import app, main

__all__ = ["app", "main"]

"""Connectors: the department side of the platform (SDK, runner, sample connectors, warehouse sink)."""

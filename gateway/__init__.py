"""The gateway: the FastAPI app, OAuth2 server, exchange path, exchange log, coverage and the `lgsp` CLI."""

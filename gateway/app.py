"""The app factory: wires settings, database, keys, bus, registry and exchange path into one FastAPI app."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from bus import Bus
from gateway.exchange.hotpath import ExchangeHotPath
from gateway.exchange.router import router as exchange_router
from gateway.exchangelog.router import router as exchangelog_router
from gateway.health import router as health_router
from gateway.limits import BodySizeLimit
from gateway.metrics.collectors import GatewayMetrics
from gateway.monitoring import router as monitoring_router
from gateway.oauth.authenticator import BearerAuthenticator
from gateway.oauth.errors import OAuthError
from gateway.oauth.router import oauth_error
from gateway.oauth.router import router as oauth_router
from gateway.platform import Platform
from gateway.problems import install_problem_handlers
from gateway.settings import Settings
from registry.router import router as registry_router

DESCRIPTION = """An integration and data-sharing platform that behaves like Vietnam's LGSP and NDXP:
departments register databases and contracts; consumers call services through an authenticated gateway;
every exchange is logged and coverage is measured against the province's targets."""


Extension = Callable[[FastAPI, Platform], AbstractAsyncContextManager[None]]


def create_app(
    settings: Settings | None = None, *, bus: Bus | None = None, extensions: Sequence[Extension] = ()
) -> FastAPI:
    """The gateway app. `bus`: an already started bus shared with in-process parts (else one is made);
    `extensions`: what a composition root runs beside the gateway once it has started (the demo's connectors)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = await Platform.start(settings, bus)
        app.state.platform = platform
        app.state.sessionmaker = platform.sessionmaker
        app.state.tokens = platform.tokens
        app.state.cipher = platform.cipher
        app.state.calls = platform.calls
        app.state.shares = platform.shares
        app.state.registry_events = platform.events
        app.state.authenticator = BearerAuthenticator(platform.tokens, platform.directory.is_disabled)
        app.state.metrics = GatewayMetrics.attach(platform)
        try:
            async with AsyncExitStack() as stack:
                for extension in extensions:
                    await stack.enter_async_context(extension(app, platform))
                yield
        finally:
            await platform.stop()

    app = FastAPI(title="LGSP Mock", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(ExchangeHotPath)
    app.add_middleware(BodySizeLimit, max_bytes=max(settings.max_body_bytes, settings.max_contract_bytes))
    install_problem_handlers(app)
    app.add_exception_handler(OAuthError, oauth_error)
    for router in (oauth_router, exchange_router, registry_router, exchangelog_router, health_router):
        app.include_router(router)
    app.include_router(monitoring_router)
    return app

"""The app factory: wires settings, database, keys, bus, registry and exchange path into one FastAPI app."""

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from bus import Bus
from contracts.errors import LgspError
from federation.router import router as federation_router
from federation.runtime import Federation, FederationConfig
from gateway.coverage.router import router as coverage_router
from gateway.crossing.flow import Crossing
from gateway.crossing.router import relay
from gateway.crossing.router import router as crossing_router
from gateway.dashboard.router import router as dashboard_router
from gateway.deadletters.router import router as dead_letters_router
from gateway.exchange.hotpath import ExchangeHotPath
from gateway.exchange.router import router as exchange_router
from gateway.exchangehealth.router import router as exchange_health_router
from gateway.exchangelog.router import router as exchangelog_router
from gateway.limits import BodySizeLimit
from gateway.metrics.collectors import GatewayMetrics
from gateway.metrics.router import router as metrics_router
from gateway.nationalcoverage.dashboard import router as national_dashboard_router
from gateway.nationalcoverage.loop import ReportLoop
from gateway.nationalcoverage.router import router as federation_reports_router
from gateway.oauth.authenticator import BearerAuthenticator
from gateway.oauth.errors import OAuthError
from gateway.oauth.metadata import server_metadata
from gateway.oauth.router import oauth_error
from gateway.oauth.router import router as oauth_router
from gateway.openapi import install_openapi
from gateway.probes import router as probes_router
from gateway.problems import install_problem_handlers
from gateway.runtime import GatewayRuntime
from gateway.security_headers import secure
from gateway.settings import Settings
from registry.router import router as registry_router

DESCRIPTION = """An integration and data-sharing platform that behaves like Vietnam's LGSP and NDXP:
departments register databases and contracts; consumers call services through an authenticated gateway;
every exchange is logged and coverage is measured against the province's targets."""

log = logging.getLogger("lgsp.gateway")


class CannotStart(RuntimeError):
    """The gateway refused to start for a reason it has logged in one line."""


class CannotStartFilter(logging.Filter):
    """Drops the traceback uvicorn logs for a lifespan that failed with `CannotStart`: its reason is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Traceback") and CannotStart.__name__ in message)


def federation_config(settings: Settings) -> FederationConfig:
    return FederationConfig(
        tier=settings.tier,
        code=settings.effective_member_code,
        name=settings.operator_name,
        base_url=settings.issuer,
        key_file=settings.effective_federation_key_file,
        directory_file=settings.federation_directory_file,
        national_url=settings.national_url,
        national_key_file=settings.national_key_file,
        refresh_seconds=settings.federation_refresh_seconds,
        validity_seconds=settings.federation_directory_validity_seconds,
    )


Extension = Callable[[FastAPI, GatewayRuntime], AbstractAsyncContextManager[None]]


def create_app(
    settings: Settings | None = None, *, bus: Bus | None = None, extensions: Sequence[Extension] = ()
) -> FastAPI:
    """The gateway app. `bus`: an already started bus shared with in-process parts (else one is made);
    `extensions`: what a composition root runs beside the gateway once it has started (the demo's connectors)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            app.state.oauth_metadata = server_metadata(settings.issuer)
        except ValueError as refused:
            log.error("cannot start: LGSP_ISSUER %s: %s", settings.issuer, refused)
            raise CannotStart(f"LGSP_ISSUER {settings.issuer}: {refused}") from None
        try:
            runtime = await GatewayRuntime.start(settings, bus)
        except LgspError as refused:  # a reason to give the operator, not a traceback (see CannotStartFilter)
            log.error("cannot start: %s", refused.detail)
            raise CannotStart(refused.detail) from None
        app.state.runtime = runtime
        app.state.sessionmaker = runtime.sessionmaker
        app.state.tokens = runtime.tokens
        app.state.cipher = runtime.cipher
        app.state.calls = runtime.calls
        app.state.shares = runtime.shares
        app.state.registry_events = runtime.events
        app.state.authenticator = BearerAuthenticator(runtime.tokens, runtime.directory.is_disabled)
        app.state.metrics = GatewayMetrics.attach(runtime)
        try:
            app.state.federation = await Federation.start(federation_config(settings))
            app.state.crossing = Crossing.of(app.state.federation, runtime.calls, runtime.sessionmaker)
        except LgspError as refused:
            await runtime.stop()
            log.error("cannot start: %s", refused.detail)
            raise CannotStart(refused.detail) from None
        reports = ReportLoop(app.state.federation, runtime.sessionmaker, settings)
        reports.start()
        try:
            async with AsyncExitStack() as stack:
                for extension in extensions:
                    await stack.enter_async_context(extension(app, runtime))
                yield
        finally:
            if app.state.crossing is not None:
                await app.state.crossing.aclose()
            await reports.stop()
            await app.state.federation.stop()
            await runtime.stop()

    app = FastAPI(
        title="LGSP Mock",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        servers=[{"url": settings.issuer.rstrip("/"), "description": "this gateway (LGSP_ISSUER)"}],
    )
    app.state.settings = settings
    app.add_middleware(ExchangeHotPath, relay=relay)
    app.add_middleware(BodySizeLimit, max_bytes=max(settings.max_body_bytes, settings.max_contract_bytes))
    install_problem_handlers(app)
    secure(app, settings)
    app.add_exception_handler(OAuthError, oauth_error)
    # the national tier's /dashboard is the national view, found before the provincial one
    national = (national_dashboard_router,) if settings.tier == "national" else ()
    routers = (
        *national, oauth_router, exchange_router, registry_router, exchangelog_router, probes_router,
        coverage_router, exchange_health_router, metrics_router, dashboard_router, dead_letters_router,
        federation_router, federation_reports_router, crossing_router,
    )  # fmt: skip
    for router in routers:
        app.include_router(router)
    install_openapi(app)
    return app

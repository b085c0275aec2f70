"""The usual security headers on every answer (API, dashboard, exchange path), CORS only when configured, and
the interactive docs only when enabled: `secure(app, settings)` is the app factory's one line for all three."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import Settings

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# for answers that are not pages (JSON, CSV, problems): nothing may be loaded, nothing may frame them
NOT_A_PAGE_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                headers.extend(header for header in HEADERS if header[0] not in names)
                if b"content-security-policy" not in names and not _is_html(headers):
                    headers.append(NOT_A_PAGE_POLICY)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)


def secure(app: FastAPI, settings: Settings) -> None:
    """Install the headers, CORS (off unless `cors_origins` lists origins) and drop the docs if disabled."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Prefer", "X-Request-ID", "traceparent"],
            expose_headers=["Location", "Retry-After", "X-Exchange-ID", "X-Request-ID"],
        )
    app.add_middleware(SecurityHeaders)
    if not settings.docs_enabled:
        hidden = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
        app.router.routes = [
            route for route in app.router.routes if getattr(route, "path", None) not in hidden
        ]

"""Liveness and readiness probes (`/healthz`, `/readyz`); the health of exchanges per service is `exchangehealth/`."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        async with request.app.state.sessionmaker() as session:
            await session.exec(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports any failure rather than raising it
        checks["database"] = f"unavailable: {type(exc).__name__}"
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        checks["bus"] = "ok" if runtime.bus.available else "unavailable"
        checks["exchange_log"] = "ok" if runtime.writer.available else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)

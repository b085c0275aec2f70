"""Liveness and readiness probes (`/healthz`, `/readyz`); the health of exchanges per service is `exchangehealth/`.

Readiness is "ready", "not ready" (503: the database, the bus or the log is down; send no traffic here) or
"degraded" (200: this gateway serves, but the warehouse has not acknowledged shares for longer than
`LGSP_WAREHOUSE_LAG_DEGRADED_SECONDS`; the reason says which and how old).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gateway.metrics.warehouse import warehouse_lag

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
    status = "ready" if ready else "not ready"
    if ready and runtime is not None:
        try:
            lag = await warehouse_lag(request.app.state)
        except Exception as exc:  # as above: a probe reports
            checks["warehouse"] = f"unknown: {type(exc).__name__}"
        else:
            reason = lag.degraded(request.app.state.settings.warehouse_lag_degraded_seconds)
            checks["warehouse"] = reason or "ok"
            status = "degraded" if reason else status
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)

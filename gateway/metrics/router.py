"""`GET /metrics`: Prometheus text exposition of this gateway's metrics."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.coverage.freshness import public_cache
from gateway.coverage.service import CoverageService
from gateway.coverage.window import Window
from gateway.metrics.collectors import GatewayMetrics
from gateway.metrics.warehouse import warehouse_lag
from gateway.settings import Settings
from registry.deps import SessionDep
from registry.storage import utcnow

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(request: Request, session: SessionDep) -> Response:
    """Exchanges by address and outcome, latency, the log writer and the bus, the coverage figures (as
    `GET /api/v1/coverage` over the default window) and the warehouse's lag per dataset, these two at most
    `LGSP_PUBLIC_CACHE_SECONDS` old."""
    gateway_metrics: GatewayMetrics = request.app.state.metrics
    settings: Settings = request.app.state.settings
    service = CoverageService(session, province=settings.province, target=settings.coverage_target)
    figures = await public_cache(request.app.state).get(
        "metrics", lambda: service.tally(Window(utcnow(), settings.coverage_window_days))
    )
    gateway_metrics.set_coverage(figures)
    gateway_metrics.warehouse.lag = await warehouse_lag(request.app.state)
    return Response(generate_latest(gateway_metrics.registry), media_type=CONTENT_TYPE_LATEST)

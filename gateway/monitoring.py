"""Everything that measures the platform, as one router: coverage, exchange health, metrics, dashboard."""

from fastapi import APIRouter

from gateway.coverage.router import router as coverage
from gateway.dashboard.router import router as dashboard
from gateway.exchangehealth.router import router as exchange_health
from gateway.metrics.router import router as metrics

router = APIRouter()
for part in (coverage, exchange_health, metrics, dashboard):
    router.include_router(part)

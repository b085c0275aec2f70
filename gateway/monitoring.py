"""Everything that measures the platform, as one router: coverage, exchange health, metrics, dashboard."""

from fastapi import APIRouter

from gateway.coverage.router import router as coverage

router = APIRouter()
for part in (coverage,):
    router.include_router(part)

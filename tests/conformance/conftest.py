"""The demo province's gateway, whose documents the independent tools check."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contracts.document import Kind
from registry.demo import load_contracts
from registry.demo.seed import seed_demo
from tests.harness import Harness, gateway_settings, running_gateway


@dataclass
class DemoDocuments:
    """Each document as served, saved under `directory` as `<name>.json`."""

    directory: Path
    documents: dict[str, dict[str, Any]]

    def files(self, prefix: str) -> list[Path]:
        return [self.directory / f"{name}.json" for name in sorted(self.documents) if name.startswith(prefix)]


@pytest.fixture(scope="session")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """The gateway with the demo province registered (SQLite, in-process bus)."""
    data = tmp_path_factory.mktemp("conformance")
    settings = gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data)
    async with running_gateway(settings) as harness:
        async with harness.app.state.sessionmaker() as session:
            await seed_demo(session)
        yield harness


def demo_paths() -> dict[str, str]:
    """Every OpenAPI and AsyncAPI document the demo serves, by a file name for it."""
    paths = {
        "openapi-gateway": "/openapi.json",
        "openapi-catalogue": "/api/v1/catalogue/openapi.json",
        "asyncapi-catalogue": "/api/v1/catalogue/asyncapi.json",
    }
    for document in load_contracts():
        a = document.address
        if document.kind is Kind.SERVICE:
            paths[f"openapi-{a.agency}-{a.code}"] = (
                f"/api/v1/services/{a.agency}/{a.code}/v{a.major}/openapi.json"
            )
        else:
            paths[f"asyncapi-{a.agency}-{a.code}"] = (
                f"/api/v1/datasets/{a.agency}/{a.code}/v{a.major}/asyncapi.json"
            )
    return paths


@pytest.fixture(scope="session")
async def demo_documents(demo: Harness, tmp_path_factory: pytest.TempPathFactory) -> DemoDocuments:
    """The land service has a maintenance window announced, so its documents are checked with one too."""
    directory = tmp_path_factory.mktemp("documents")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    window = {
        "from": tomorrow.isoformat(),
        "until": (tomorrow + timedelta(hours=2)).isoformat(),
        "notice": "Nâng cấp",
    }
    announced = await demo.http.patch(
        "/api/v1/services/H50.20/tra-cuu-thua-dat/v1",
        json={"maintenance": window},
        headers=await demo.admin(),
    )
    assert announced.status_code == 200, announced.text
    documents = {}
    for name, path in demo_paths().items():
        response = await demo.http.get(path)
        assert response.status_code == 200, f"{path}: {response.text}"
        documents[name] = response.json()
        (directory / f"{name}.json").write_text(
            json.dumps(documents[name], ensure_ascii=False), encoding="utf-8"
        )
    return DemoDocuments(directory, documents)

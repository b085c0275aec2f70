"""The LGSP sandbox, a pytest plugin for connector developers: a real gateway in process, their contracts
registered, their connector answering, a consumer allowed to call. Registered as the `lgsp_sandbox` entry
point, so installing lgsp-mock is all a department's project needs:

```toml
[tool.pytest.ini_options]
asyncio_mode = "auto"
lgsp_contracts = ["contracts/*.yaml"]
lgsp_connector = "connector:connector"
```

```python
async def test_a_known_parcel(lgsp_sandbox):
    call = await lgsp_sandbox.call("H50.20/tra-cuu-thua-dat/v1", {"ma_xa": "19333", "so_to": 12, "so_thua": 145})
    assert call.status == 200
```

Loading the plugin costs nothing: the gateway is imported and started only by a test that asks for the
fixture. A test may name other contracts or another connector with
`@pytest.mark.lgsp_sandbox(contracts=[...], connector="module:app" or Connector objects)`.
"""

from __future__ import annotations

import glob
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from connectors.sdk import Connector
    from contracts.document import ContractDocument
    from gateway.sandbox.composition import Sandbox

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the fixture then says what is missing
    pytest_asyncio = None  # type: ignore[assignment]

MARKER = "lgsp_sandbox"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("lgsp_contracts", "LGSP sandbox: contract files (globs, from the rootdir)", type="linelist")
    parser.addini("lgsp_connector", "LGSP sandbox: the connector as MODULE:APP", type="string")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(contracts=None, connector=None): the LGSP sandbox's contracts and connector for this test",
    )


def _contracts(sources: list[Any], root: Path) -> list[ContractDocument]:
    from contracts.document import ContractDocument
    from contracts.loading import load_contract

    documents = []
    for source in sources:
        if isinstance(source, ContractDocument):
            documents.append(source)
            continue
        pattern = str(source) if Path(source).is_absolute() else str(root / source)
        paths = sorted(glob.glob(pattern, recursive=True))
        if not paths:
            pytest.fail(f"lgsp sandbox: no contract file matches {source}", pytrace=False)
        documents += [load_contract(Path(path).read_bytes()) for path in paths]
    return documents


def _connectors(given: Any, root: Path) -> list[Connector]:
    from connectors.sdk import Connector

    if given is None or given == "":
        return []
    if isinstance(given, Connector):
        return [given]
    if isinstance(given, list | tuple):
        return list(given)
    from gateway.cli.connector import CannotStart, load_connectors

    try:
        return load_connectors(str(given), root)
    except CannotStart as exc:
        pytest.fail(f"lgsp sandbox: {exc}", pytrace=False)


def _configured(request: pytest.FixtureRequest) -> tuple[list[ContractDocument], list[Connector]]:
    config = request.config
    marker = request.node.get_closest_marker(MARKER)
    options = marker.kwargs if marker else {}
    contracts = options.get("contracts", config.getini("lgsp_contracts"))
    connector = options.get("connector", config.getini("lgsp_connector"))
    root = config.rootpath
    return _contracts(list(contracts or []), root), _connectors(connector, root)


async def _sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    from gateway.sandbox.composition import open_sandbox

    contracts, connectors = _configured(request)
    data_dir = request.getfixturevalue("tmp_path_factory").mktemp("lgsp-sandbox")
    async with open_sandbox(contracts, connectors, data_dir) as sandbox:
        yield sandbox


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def lgsp_sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
        """A gateway in process with the department's contracts registered and its connector answering."""
        async for sandbox in _sandbox(request):
            yield sandbox

else:  # pragma: no cover

    @pytest.fixture
    def lgsp_sandbox() -> None:
        pytest.fail("the lgsp sandbox needs pytest-asyncio: pip install pytest-asyncio", pytrace=False)

"""`lgsp up --demo` on the national tier (LGSP_TIER=national), as `lgsp federation up --demo` runs it: a connector
in the same process answers each national database's services from its contract's examples (the demo's
illustrative data; any other request is answered `found: false`)."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI

from connectors.sdk import Connector, ConnectorRunner, GatewayKeys
from contracts.document import ContractDocument, Kind
from gateway.runtime import GatewayRuntime
from registry.catalogue.service import CatalogueService

NOT_FOUND = {"found": False}


def national_demo() -> "NationalDemo":
    return NationalDemo()


class NationalDemo:
    def __call__(self, app: FastAPI, runtime: GatewayRuntime) -> AbstractAsyncContextManager[None]:
        return self._run(runtime)

    @asynccontextmanager
    async def _run(self, runtime: GatewayRuntime) -> AsyncIterator[None]:
        async with runtime.sessionmaker() as session:
            documents = [d for _, d in await CatalogueService(session).entries(Kind.SERVICE)]
        keys = GatewayKeys(provider=lambda: runtime.keyring.envelopes.key_set)
        runner = ConnectorRunner(example_connectors(documents), runtime.bus, keys=keys)
        await runner.start()
        try:
            yield
        finally:
            await runner.stop()


def example_connectors(documents: list[ContractDocument]) -> list[Connector]:
    """One connector per provider and database, each service answering its contract's examples."""
    connectors: dict[tuple[str, str], Connector] = {}
    for document in documents:
        key = (document.provider, document.database or "")
        same = [d for d in documents if (d.provider, d.database or "") == key]
        connector = connectors.setdefault(key, Connector(*key, contracts=same))
        connector.service(document.code, major=int(document.version.split(".")[0]))(_answers(document))
    return list(connectors.values())


def _answers(document: ContractDocument) -> Callable[[dict[str, Any]], dict[str, Any]]:
    known = {orjson.dumps(e.request, option=orjson.OPT_SORT_KEYS): e.response for e in document.examples}

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        return dict(known.get(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)) or NOT_FOUND)

    answer.__name__ = answer.__qualname__ = document.code.replace("-", "_")
    return answer

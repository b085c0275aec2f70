"""The gateway served over real HTTP (uvicorn on a free loopback port, in a thread with its own event loop),
for clients that cannot use an in-process transport: a browser, the `lgsp` command line."""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from tests.services import ServiceUnavailable, free_port


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"uvicorn-{self.port}", daemon=True)

    async def __aenter__(self) -> LiveServer:
        self._thread.start()
        for _ in range(400):
            if self._server.started:
                return self
            if not self._thread.is_alive():
                break
            await asyncio.sleep(0.025)
        self._server.should_exit = True
        raise ServiceUnavailable(f"the gateway did not start on {self.url}")

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        await asyncio.to_thread(self._thread.join, 20)

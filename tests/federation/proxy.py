"""A real HTTP proxy on loopback between a member and the national tier, that can tamper with the directory or
serve an older one: what a network attacker or a stale mirror would do."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.services import free_port

DIRECTORY = "/api/v1/federation/directory"


def tampered(token: str) -> str:
    """The same signature over a payload with one more member in it."""
    header, payload, signature = token.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["members"].append(
        {
            "code": "H99",
            "name": "Kẻ giả mạo",
            "base_url": "http://127.0.0.1:9",
            "keys": [],
            "status": "active",
        }
    )
    document["version"] += 1
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


class DirectoryProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "pass"  # pass | tamper | stale
        self.stale: str | None = None  # a directory served in "stale" mode
        self.served = 0  # directories served in a mode other than "pass"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def _forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                try:
                    answer = httpx.request(
                        method, proxy.upstream + self.path, content=body, timeout=5,
                        headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
                    )  # fmt: skip
                except httpx.HTTPError:
                    self.send_response(502)
                    self.end_headers()
                    return
                content = answer.content
                if method == "GET" and self.path == DIRECTORY and answer.status_code == 200:
                    if proxy.mode == "tamper":
                        content, proxy.served = tampered(answer.text).encode(), proxy.served + 1
                    elif proxy.mode == "stale" and proxy.stale:
                        content, proxy.served = proxy.stale.encode(), proxy.served + 1
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self) -> None:
                self._forward("GET")

            def do_POST(self) -> None:
                self._forward("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

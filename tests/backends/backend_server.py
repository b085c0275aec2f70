"""A small HTTP backend on loopback, in a thread: what a department's REST system would be."""

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc.jwk import KeySet

from connectors.sdk.http_envelope import envelope_from_http
from contracts.signing import SignatureInvalid, verify_envelope

GOOD = "7321456789"
NOT_FOUND = "4040404040"
FAILING = "5000000000"
SLOW = "9999999999"
AGAINST_CONTRACT = "1111111111"
REDIRECT = "3030303030"
HUGE = "2222222222"


@dataclass
class Seen:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool | None


TOKEN_CLIENT, TOKEN_SECRET = "lgsp-gateway", "oauth2-khach-bi-mat-5"
TOKEN = "token-cho-backend-1"


@dataclass
class Backend:
    url: str
    jwks: KeySet | None = None
    seen: list[Seen] = field(default_factory=list)
    tokens_issued: int = 0

    @property
    def token_url(self) -> str:
        return self.url.rsplit("/api/", 1)[0] + "/oauth/token"


def _handler(backend: Backend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            if status == 302:
                self.send_header("location", "http://169.254.169.254/")
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the caller gave up waiting (the slow case)
                pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path == "/oauth/token":
                expected = base64.b64encode(f"{TOKEN_CLIENT}:{TOKEN_SECRET}".encode()).decode()
                if (
                    self.headers.get("authorization") != f"Basic {expected}"
                    or b"client_credentials" not in body
                ):
                    self._send(401, {"error": "invalid_client"})
                    return
                backend.tokens_issued += 1
                self._send(200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            valid = None
            if backend.jwks is not None:
                try:
                    verify_envelope(envelope_from_http(headers, body), backend.jwks)
                    valid = True
                except SignatureInvalid:
                    valid = False
            backend.seen.append(Seen(headers, body, valid))
            number = json.loads(body).get("ma_du_an")
            if number == NOT_FOUND:
                problem = {"type": "https://so-khdt.example/problems/no-project", "title": "No such project"}
                self._send(404, problem | {"status": 404}, "application/problem+json")
            elif number == FAILING:
                self._send(500, {"error": "database down"})
            elif number == SLOW:
                time.sleep(1.5)
                self._send(200, {"found": False})
            elif number == AGAINST_CONTRACT:
                self._send(200, {"found": "yes"})
            elif number == HUGE:
                self._send(200, {"found": True, "ten_du_an": "x" * 2_000_000})
            elif number == REDIRECT:
                self._send(302, {})
            else:
                self._send(200, {"found": True, "ma_du_an": number, "ten_du_an": "Nhà máy gỗ"})

    return Handler


@contextmanager
def running_backend() -> Iterator[Backend]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Backend("")))
    backend = Backend(f"http://127.0.0.1:{server.server_address[1]}/api/du-an")
    server.RequestHandlerClass = _handler(backend)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield backend
    finally:
        server.shutdown()
        server.server_close()

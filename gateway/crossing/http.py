"""The HTTP/1.1 client a hop forwards calls with: keep-alive connections to the next hops, one request at a time on
each, the response read with httptools (uvicorn's parser).

httpx's connection pool probes the socket of every pooled connection, and walks every queued request against every
connection, each time a request starts and each time a response is closed: at 50 calls in flight that was about
half of the origin's and the national tier's CPU (py-spy), the largest cost of a call across. A hop sends one small
JSON body to a peer it knows and reads one reply, so this is all it needs: an idle connection taken from the top of
a stack (the peer may have closed it: then a new one, once), or a new one, and the request written in one go.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import httptools

MAX_IDLE: Final = 64  # idle connections kept per peer
IDLE_SECONDS: Final = 4.0  # a connection idle longer is not reused: gateways (uvicorn) close theirs after 5 s
MAX_REPLY_BYTES: Final = 64 * 1024 * 1024


class HopConnectFailed(Exception):
    """No connection to the peer: nothing was sent."""


class HopBroken(Exception):
    """The connection failed, or the peer answered something other than HTTP, during the call."""


@dataclass(slots=True)
class HopResponse:
    status_code: int
    headers: dict[str, str]  # names in lower case
    content: bytes


@dataclass(slots=True)
class _Reply:
    """httptools' callbacks: what has arrived of one response."""

    headers: dict[str, str] = field(default_factory=dict)
    body: list[bytes] = field(default_factory=list)
    size: int = 0
    started: bool = False
    complete: bool = False
    keep_alive: bool = False
    parser: httptools.HttpResponseParser | None = None

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.started = True

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > MAX_REPLY_BYTES:
            raise HopBroken(f"a reply over {MAX_REPLY_BYTES} bytes")
        self.body.append(body)

    def on_message_complete(self) -> None:
        # asked here: once the callback returns, the parser is ready for the next message and says no
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()
        self.complete = True


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def usable(self, now: float) -> bool:
        return (
            now - self.idle_since < IDLE_SECONDS and not self.reader.at_eof() and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: bytes) -> tuple[HopResponse, bool]:
        """The response to `request`, and whether the connection may carry another."""
        self.writer.write(request)
        reply = _Reply()
        parser = reply.parser = httptools.HttpResponseParser(reply)
        received = False
        while not reply.complete:
            data = await self.reader.read(65536)
            if not data:
                if reply.started and not {"content-length", "transfer-encoding"} & reply.headers.keys():
                    break  # a reply delimited by the end of the connection
                raise (HopBroken if received else _ClosedBeforeReply)("the peer closed the connection")
            received = True
            try:
                parser.feed_data(data)
            except httptools.HttpParserError as exc:
                raise HopBroken(f"not an HTTP reply: {exc}") from None
        response = HopResponse(parser.get_status_code(), reply.headers, b"".join(reply.body))
        return response, reply.keep_alive


class _ClosedBeforeReply(HopBroken):
    """An idle connection the peer had closed: the request never reached it, so it is sent again on a new one."""


@dataclass(frozen=True, slots=True)
class _Peer:
    host: str
    port: int
    tls: bool
    host_header: str


class HopClient:
    def __init__(self, max_connections: int = 256) -> None:
        self._idle: dict[_Peer, list[_Connection]] = {}
        self._peers: dict[str, tuple[_Peer, str]] = {}
        self._slots = asyncio.Semaphore(max_connections)
        self._tls: ssl.SSLContext | None = None

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], *, seconds: float, connect_seconds: float
    ) -> HopResponse:
        """POST `body` to `url`. Raises HopConnectFailed (nothing sent), TimeoutError (no full reply within
        `seconds`, the connection included) or HopBroken."""
        peer, path = self._peer(url)
        lines = [f"POST {path} HTTP/1.1", f"Host: {peer.host_header}", f"Content-Length: {len(body)}"]
        for name, value in headers.items():
            if "\r" in value or "\n" in value:
                raise ValueError(f"header {name} holds a line break")
            lines.append(f"{name}: {value}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        async with asyncio.timeout(seconds), self._slots:
            idle = self._idle.setdefault(peer, [])
            now = asyncio.get_running_loop().time()
            while idle:
                connection = idle.pop()
                if not connection.usable(now):
                    connection.close()
                    continue
                try:
                    return await self._exchange(connection, request, idle)
                except _ClosedBeforeReply:
                    continue  # closed by the peer while idle: try the next, then a new one
            connection = await self._connect(peer, connect_seconds)
            try:
                return await self._exchange(connection, request, idle)
            except _ClosedBeforeReply:
                raise HopBroken("the peer closed the connection without a reply") from None

    @staticmethod
    async def _exchange(connection: _Connection, request: bytes, idle: list[_Connection]) -> HopResponse:
        kept = False
        try:
            response, keep_alive = await connection.exchange(request)
            now = asyncio.get_running_loop().time()
            if idle and not idle[0].usable(now):
                idle.pop(0).close()  # the stack's bottom goes stale under a steady load: drop it as we go
            if keep_alive and len(idle) < MAX_IDLE:
                connection.idle_since = now
                idle.append(connection)
                kept = True
            return response
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise
            raise HopBroken(f"{exc.__class__.__name__}: {exc}") from None
        finally:
            if not kept:
                connection.close()

    async def _connect(self, peer: _Peer, seconds: float) -> _Connection:
        try:
            async with asyncio.timeout(seconds):
                reader, writer = await asyncio.open_connection(
                    peer.host, peer.port, ssl=self._tls_context() if peer.tls else None
                )
        except (OSError, ssl.SSLError) as exc:  # TimeoutError included: the peer did not answer in time
            raise HopConnectFailed(f"{exc.__class__.__name__}: {exc}") from None
        return _Connection(reader, writer)

    def _peer(self, url: str) -> tuple[_Peer, str]:
        found = self._peers.get(url)
        if found is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL: {url}")
            tls = parts.scheme == "https"
            port = parts.port or (443 if tls else 80)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            found = (_Peer(parts.hostname, port, tls, parts.netloc.rpartition("@")[2]), path or "/")
            if len(self._peers) < 10_000:
                self._peers[url] = found
        return found

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()

"""The HTTP client a hop forwards calls with: aiohttp's, keep-alive connections to the next hops.

Not httpx, which the rest of the platform uses: httpx's connection pool (httpcore) probes the socket of every pooled
connection, and walks every queued request against every connection, each time a request starts and each time a
response is closed (encode/httpcore#928, open). At 50 calls in flight that was about half of the origin's and the
national tier's CPU (py-spy), the largest cost of a call across. aiohttp's connector keeps idle connections in a
stack and learns of a peer's close from the event loop, with no probing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import aiohttp

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


class HopClient:
    def __init__(self, max_connections: int = 256) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:  # made on first use, inside the running loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections, limit_per_host=0, keepalive_timeout=IDLE_SECONDS
                ),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
                trust_env=False,
            )
        return self._session

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], *, seconds: float, connect_seconds: float
    ) -> HopResponse:
        """POST `body` to `url`. Raises HopConnectFailed (nothing sent), TimeoutError (no full reply within
        `seconds`, the connection included) or HopBroken."""
        timeout = aiohttp.ClientTimeout(total=seconds, sock_connect=connect_seconds)
        try:
            async with self._client().post(
                url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            ) as response:
                content = await _content(response)
                return HopResponse(
                    response.status,
                    {name.lower(): value for name, value in response.headers.items()},
                    content,
                )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise HopConnectFailed(f"{exc.__class__.__name__}: {exc}") from None
        except TimeoutError:
            raise
        except (aiohttp.ClientError, OSError) as exc:
            raise HopBroken(f"{exc.__class__.__name__}: {exc}") from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _content(response: aiohttp.ClientResponse) -> bytes:
    """The whole reply, up to MAX_REPLY_BYTES; aiohttp raises ClientPayloadError when it is cut short."""
    if response.content_length is not None:
        if response.content_length > MAX_REPLY_BYTES:
            raise HopBroken(f"a reply over {MAX_REPLY_BYTES} bytes")
        return await response.read()
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(65536):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise HopBroken(f"a reply over {MAX_REPLY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)

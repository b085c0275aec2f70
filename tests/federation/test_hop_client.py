"""The HTTP client the hops forward calls with, against real servers on loopback: connections kept and reused, one
the peer closed while idle replaced without failing the call, and a peer down, silent or cut off mid-reply told
apart (the crossing answers 503 or 504 from these)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from gateway.crossing.http import HopBroken, HopClient, HopConnectFailed
from tests.services import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[bool]]


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return await reader.readexactly(length)


def reply(body: bytes, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[tuple[str, list[int]]]:
    """A server answering each request with `handler` (True: keep the connection); the connections it accepted."""
    accepted: list[int] = []

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(len(accepted))
        try:
            while (body := await read_request(reader)) is not None and await handler(reader, writer, body):
                pass
        finally:
            writer.close()

    port = free_port()
    listening = await asyncio.start_server(connected, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/api/v1/federation/exchange/H50.20/x/v1", accepted
    finally:
        listening.close()


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
    writer.write(reply(body))
    await writer.drain()
    return True


async def post(client: HopClient, url: str, body: bytes = b'{"n": 1}', seconds: float = 5.0) -> bytes:
    response = await client.post(
        url, body, {"Content-Type": "application/json"}, seconds=seconds, connect_seconds=1
    )
    assert response.status_code == 200
    return response.content


class TestKeptConnections:
    async def test_one_connection_carries_the_calls_that_follow(self) -> None:
        client = HopClient()
        async with server(echo) as (url, accepted):
            for n in range(3):
                assert await post(client, url, b'{"n": %d}' % n) == b'{"n": %d}' % n
            assert len(accepted) == 1
        await client.aclose()

    async def test_one_the_peer_closed_while_idle_is_replaced_without_failing_the_call(self) -> None:
        async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
            await echo(reader, writer, body)
            return False  # closed after each reply, as a peer does with an idle connection

        client = HopClient()
        async with server(once) as (url, accepted):
            assert await post(client, url, b"[1]") == b"[1]"
            await asyncio.sleep(0.05)  # the peer's close arrives while the connection is idle
            assert await post(client, url, b"[2]") == b"[2]"
            assert len(accepted) == 2
        await client.aclose()

    async def test_a_chunked_reply_is_read_whole(self) -> None:
        async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            )
            await writer.drain()
            return True

        client = HopClient()
        async with server(chunked) as (url, _):
            assert await post(client, url) == b"abcde"
        await client.aclose()


class TestAPeerThatFails:
    async def test_nothing_listening_is_a_connection_failure(self) -> None:
        client = HopClient()
        with pytest.raises(HopConnectFailed):
            await post(client, f"http://127.0.0.1:{free_port()}/x")
        await client.aclose()

    async def test_a_silent_peer_is_a_timeout(self) -> None:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
            await asyncio.sleep(5)
            return False

        client = HopClient()
        async with server(silent) as (url, _):
            with pytest.raises(TimeoutError):
                await post(client, url, seconds=0.2)
        await client.aclose()

    async def test_a_peer_gone_mid_reply_is_broken(self) -> None:
        async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
            await writer.drain()
            return False

        client = HopClient()
        async with server(cut) as (url, _):
            with pytest.raises(HopBroken):
                await post(client, url)
        await client.aclose()

    async def test_a_peer_answering_something_other_than_http_is_broken(self) -> None:
        async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> bool:
            writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            await writer.drain()
            return False

        client = HopClient()
        async with server(garbage) as (url, _):
            with pytest.raises(HopBroken):
                await post(client, url)
        await client.aclose()

"""The built-in HTTP connector: takes each bound service's requests from the bus, as any connector does, and POSTs
them to the service's backend in CloudEvents HTTP binary mode (`connectors.sdk.http_envelope`).

A request is believed as every connector believes one (`connectors.sdk.responder.Admission`): the gateway's
signature, the deadline, the freshness window, no replay; a refused one never reaches the backend.

One shared `httpx.AsyncClient` (pooled connections); redirects are never followed (a 3xx is a backend error), so
no answer can lead the call outside `LGSP_BACKEND_NETWORKS`. The gateway checks the answer against the contract,
exactly as any connector's. Errors become problems: the backend's 4xx/5xx → `backend-error` (its status and, if
it sent one, its problem's type and title), unreachable → `backend-unreachable`, slow → `backend-timeout` (504).
Secrets (header values, passwords, tokens) are never logged nor put in a problem.
"""

import asyncio
import base64
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import httpx
import orjson

from bus import Bus, BusUnavailable, Subscription, Unconsumed
from connectors.sdk.http_envelope import envelope_to_http_headers
from connectors.sdk.keys import GatewayKeys
from connectors.sdk.problems import problem_bytes
from connectors.sdk.responder import FRESHNESS, REPLY_TOPIC_PREFIX, Admission, RecentIds
from contracts.addresses import REGISTRY_TOPIC, Address
from contracts.envelope import (
    EXCHANGE_REQUEST,
    REGISTRY_PREFIX,
    STATUS_ERROR,
    STATUS_OK,
    Envelope,
    make_reply,
)
from contracts.errors import LgspError
from contracts.keyring import MessageKeyring
from contracts.signing import MessageSigner

log = logging.getLogger("lgsp.backends")
BINDING_EVENTS = {REGISTRY_PREFIX + "backend.bound", REGISTRY_PREFIX + "backend.unbound"}


class Binding(Protocol):
    """A service major's backend, its secrets opened (the registry's `registry.backends.service.Binding`)."""

    @property
    def address(self) -> Address: ...
    @property
    def url(self) -> str: ...
    @property
    def timeout_seconds(self) -> float: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def auth(self) -> dict[str, Any]: ...


class Target(Protocol):
    """A URL checked against the allowed networks, and the address it is to be called at."""

    @property
    def url(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def pinned_url(self) -> str: ...


LoadBindings = Callable[[], Awaitable[Sequence[Binding]]]
CheckUrl = Callable[[str], Awaitable[Target]]
"""Raises an `LgspError` for a URL outside the allowed networks or whose host does not resolve."""


class BackendError(LgspError):
    name, status, title = "backend-error", 502, "The backend answered an error"


class BackendUnreachable(LgspError):
    name, status, title = "backend-unreachable", 502, "The backend cannot be reached"


class BackendTimeout(LgspError):
    name, status, title = "backend-timeout", 504, "The backend did not answer in time"


@dataclass
class _Token:
    value: str
    expires: float


class TokenCache:
    """OAuth2 client-credentials tokens for backends, kept until shortly before they expire.

    A plain token POST (RFC 6749 §4.4) on the shared client: Authlib's httpx integration is deprecated upstream,
    and this is all of client credentials a backend needs."""

    MARGIN = 30.0  # seconds before expiry a token is no longer used

    def __init__(self, http: httpx.AsyncClient, check: CheckUrl) -> None:
        self.http, self.check = http, check
        self._tokens: dict[tuple[str, str, str | None], _Token] = {}
        self._locks: dict[tuple[str, str, str | None], asyncio.Lock] = {}

    async def token(self, auth: dict[str, Any], seconds: float) -> str:
        key = (auth["token_url"], auth["client_id"], auth.get("scope"))
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tokens.get(key)
            if cached is not None and cached.expires > time.monotonic():
                return cached.value
            target = await self.check(auth["token_url"])
            form = {"grant_type": "client_credentials"} | (
                {"scope": auth["scope"]} if auth.get("scope") else {}
            )
            response = await self.http.post(
                target.pinned_url,
                data=form,
                auth=httpx.BasicAuth(auth["client_id"], auth["client_secret"]),
                headers={"host": _host_header(target.host, target.port, target.url)},
                timeout=seconds,
                extensions=_sni(target.url, target.host),
            )
            try:
                body = response.json() if response.status_code == 200 else {}
                value = str(body["access_token"])
                lifetime = float(body.get("expires_in", 300))
            except (ValueError, KeyError, TypeError):
                raise BackendError(
                    f"the backend's token endpoint answered {response.status_code} without a token",
                    backend_status=response.status_code,
                ) from None
            self._tokens[key] = _Token(value, time.monotonic() + max(lifetime - self.MARGIN, 0.0))
            return value


def _sni(url: str, host: str) -> dict[str, Any]:
    return {"sni_hostname": host} if url.startswith("https:") else {}


def _host_header(host: str, port: int, url: str) -> str:
    default = 443 if url.startswith("https:") else 80
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"


def _remaining(request: Envelope) -> float | None:
    if request.deadline is None:
        return None
    try:
        return (datetime.fromisoformat(request.deadline) - datetime.now(UTC)).total_seconds()
    except (ValueError, TypeError):
        return 0.0


class HttpBackends:
    """Serves every bound service major: one consumer group each (the address's), kept in step with the
    registry by `sync()` (called on a binding change in this process, and every `refresh` seconds)."""

    def __init__(
        self,
        bus: Bus,
        load: LoadBindings,
        check: CheckUrl,
        *,
        keys: GatewayKeys,
        source: str,
        refresh: float = 30.0,
        freshness: float = FRESHNESS,
        seen_path: Path | None = None,
        signer: MessageSigner | MessageKeyring | None = None,
        concurrency: int = 64,
        events_group: str | None = None,
        max_answer_bytes: int = 1_048_576,
        max_in_flight: int = 8,
    ) -> None:
        """`events_group`: this process's own consumer group on the registry's event topic, to follow bindings
        at once (one per process: every process must hear every event); else only every `refresh` seconds.
        `keys`, `freshness`, `seen_path`: as `ConnectorRunner`'s (the keys are the caller's to close)."""
        self.bus, self.load, self.check = bus, load, check
        self.source, self.refresh, self.signer, self.concurrency = source, refresh, signer, concurrency
        self.admission = Admission(
            keys, recent=RecentIds(path=seen_path, window=freshness), freshness=freshness
        )
        self.bindings: dict[str, Binding] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._sync_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._events_group = events_group
        self.max_answer_bytes = max_answer_bytes
        # httpcore's pool checks every connection it holds (a socket probe through anyio, costly) each time it
        # assigns a request: with dozens open it spends more on that than on the calls. So few connections, kept
        # alive, and calls beyond them wait here
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._events: Subscription | None = None
        self.http = httpx.AsyncClient(
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight),
        )
        self.tokens = TokenCache(self.http, check)

    async def __aenter__(self) -> Self:
        await self.admission.keys.start()
        await self.sync()
        self._task = asyncio.create_task(self._refresh_loop())
        if self._events_group is not None:
            self._events = await self.bus.subscribe([REGISTRY_TOPIC], self._events_group, self._on_event)
            await self._events.ready()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._events is not None:
            await self._events.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        subscriptions, self._subscriptions = list(self._subscriptions.values()), {}
        await asyncio.gather(*(s.stop() for s in subscriptions))
        await self.http.aclose()
        self.admission.recent.close()

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh)
            try:
                await self.sync()
            except Exception:  # the next round tries again; serving goes on with what it has
                log.exception("cannot refresh the HTTP backends")

    async def sync(self) -> None:
        """Serve exactly the bound services: subscribe the new, leave the unbound."""
        async with self._sync_lock:
            self.bindings = {str(binding.address): binding for binding in await self.load()}
            for subject, binding in self.bindings.items():
                if subject not in self._subscriptions:
                    address = binding.address
                    subscription = await self.bus.subscribe(
                        [address.service_topic],
                        address.consumer_group,
                        self._serving(address),
                        concurrency=self.concurrency,
                    )
                    await subscription.ready()
                    self._subscriptions[subject] = subscription
                    log.info("serving %s from its HTTP backend", subject)
            for subject in [s for s in self._subscriptions if s not in self.bindings]:
                await self._subscriptions.pop(subject).stop()
                log.info("no longer serving %s: unbound", subject)

    async def _on_event(self, event: Envelope) -> None:
        if event.type in BINDING_EVENTS:
            await self.sync()

    def _serving(self, address: Address) -> Callable[[Envelope], Awaitable[None]]:
        async def serve(request: Envelope) -> None:
            await self.serve(address, request)

        return serve

    async def serve(self, address: Address, request: Envelope) -> None:
        """Answer a request from `address`'s topic as the SDK's connectors do (`ServiceResponder`): refused unless
        `Admission` believes it, a forged or unsigned one answered with its problem, the others dropped."""
        if request.type != EXCHANGE_REQUEST:
            log.warning("%s: ignored message %s of type %s", address, request.id, request.type)
            return
        # `replyto` of a forged request is not to be trusted: answer only on a gateway's reply topic
        if not (request.replyto or "").startswith(REPLY_TOPIC_PREFIX):
            log.warning("%s: request %s names no reply topic; not answered", address, request.id)
            return
        try:
            if not await self.admission.admit_from_bus(request, address):
                return
        except LgspError as refused:
            await self._send(address, request, make_reply(
                request, source=self.source, data=problem_bytes(refused, request.id), status=STATUS_ERROR
            ))  # fmt: skip
            return
        try:
            await self._send(address, request, await self.answer(request))
        except BusUnavailable as exc:  # answered again (until its deadline), or by whoever gets it next
            self.admission.recent.release(request.id)
            raise Unconsumed(f"no reply to {request.id} sent: {exc.detail}") from None

    async def _send(self, address: Address, request: Envelope, reply: Envelope) -> None:
        signer = self.signer
        if isinstance(signer, MessageKeyring):  # one key per provider agency (a gateway on Kafka needs them)
            signer = signer.for_agency(address.agency)
        if signer is not None:
            reply = signer.sign(reply)
        await self.bus.reply(request, reply)

    async def answer(self, request: Envelope) -> Envelope:
        binding = self.bindings.get(request.subject or "")
        started = time.perf_counter()
        try:
            if binding is None:
                raise BackendUnreachable(f"{request.subject} is not bound to a backend (any longer)")
            data = await self._call(binding, request)
        except LgspError as problem:
            log.warning(
                "%s: exchange %s: %s (%s) after %.0f ms",
                request.subject, request.id, problem.name, problem.detail, (time.perf_counter() - started) * 1e3,
            )  # fmt: skip
            return make_reply(
                request, source=self.source, data=problem_bytes(problem, request.id), status=STATUS_ERROR
            )
        return make_reply(request, source=self.source, data=data, status=STATUS_OK)

    async def _call(self, binding: Binding, request: Envelope) -> bytes:
        timeout = binding.timeout_seconds
        remaining = _remaining(request)
        if remaining is not None:
            timeout = min(timeout, max(remaining, 0.001))
        try:
            target = await self.check(binding.url)
        except LgspError as refused:  # not resolving, or now resolving outside the networks (DNS rebinding)
            # the operator's log names the host and address; the consumer is not told the network's layout
            log.warning("%s: backend refused at call time: %s", binding.address, refused.detail)
            raise BackendUnreachable(f"the backend of {binding.address} cannot be reached") from None
        headers = dict(binding.headers)
        try:
            headers.update(await self._auth_headers(binding, timeout))
            headers.update(envelope_to_http_headers(request))
            headers["host"] = _host_header(target.host, target.port, target.url)
            call = self.http.build_request(
                "POST",
                target.pinned_url,
                content=request.data,
                headers=headers,
                timeout=timeout,
                extensions=_sni(target.url, target.host),
            )
            # the whole call within the timeout (httpx's bounds each read and write, not their sum)
            async with asyncio.timeout(timeout), self._in_flight:
                response = await self.http.send(call, stream=True)
                try:
                    body = await self._read(binding, response)
                finally:
                    await response.aclose()
        except (httpx.TimeoutException, TimeoutError):
            raise BackendTimeout(
                f"the backend of {binding.address} did not answer within {timeout:g} s"
            ) from None
        except httpx.TransportError as exc:
            raise BackendUnreachable(
                f"the backend of {binding.address} cannot be reached: {type(exc).__name__}"
            ) from None
        if response.status_code >= 300 or response.status_code < 200:
            raise _backend_error(binding, response.status_code, response.headers, body)
        return body

    async def _read(self, binding: Binding, response: httpx.Response) -> bytes:
        """The answer's body, refused past `max_answer_bytes` (read no further: a backend cannot fill memory)."""
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_answer_bytes:
                raise BackendError(
                    f"the backend of {binding.address} answered more than {self.max_answer_bytes} bytes",
                    backend_status=response.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def _auth_headers(self, binding: Binding, seconds: float) -> dict[str, str]:
        auth = binding.auth
        if auth["type"] == "header":
            return {auth["name"]: auth["value"]}
        if auth["type"] == "basic":
            pair = f"{auth['username']}:{auth['password']}".encode()
            return {"authorization": "Basic " + base64.b64encode(pair).decode()}
        if auth["type"] == "oauth2":
            return {"authorization": "Bearer " + await self.tokens.token(auth, seconds)}
        return {}


def _backend_error(binding: Binding, status: int, headers: httpx.Headers, body: bytes) -> BackendError:
    extra: dict[str, Any] = {"backend_status": status}
    what = f"the backend of {binding.address} answered {status}"
    if 300 <= status < 400:
        what += " (a redirect: redirects are not followed)"
    if headers.get("content-type", "").startswith("application/problem+json"):
        try:
            problem = orjson.loads(body)
        except orjson.JSONDecodeError:
            problem = None
        if isinstance(problem, dict):
            shown = {k: str(problem[k])[:300] for k in ("type", "title") if k in problem}
            extra["backend_problem"] = shown
            what += f": {shown.get('title', shown.get('type', ''))}"
    return BackendError(what, **extra)

"""`lgsp connector serve`: a department's SDK connector as an HTTP backend of the local `lgsp up`, in one step.

Take the port first (so a port in use is said before anything is bound), fetch the keys and contracts from the
gateway, bind each service to this process's URL (`PUT .../backend`), share the datasets as `lgsp connector run`
does (connectors/sdk/sharing.py), serve until Ctrl+C or SIGTERM, then stop sharing and unbind what it bound. uvicorn's own signal handling is replaced: it raises the signal again once the server stops, which
would end the process before the bindings are removed.
"""

import asyncio
import contextlib
import signal
import socket
from collections.abc import Generator
from dataclasses import dataclass, field

import uvicorn
from rich.console import Console

from bus import Bus
from bus.errors import BusUnavailable
from connectors.sdk import ApiProblem, Connector, GatewayClient, GatewayKeys
from connectors.sdk.documents import ContractUnavailable
from connectors.sdk.http_app import build_http_app, route_path
from connectors.sdk.keys import KeysUnavailable
from connectors.sdk.runner import fetch_missing_contracts
from connectors.sdk.sharing import DatasetSharing
from contracts.addresses import Address
from gateway.cli.connector import print_sharing
from gateway.cli.errors import CliError
from registry.cli import print_rows

console = Console(highlight=False)
WILDCARDS = {"0.0.0.0", "::", ""}  # listening on every interface: bind the gateway to loopback


def take_port(host: str, port: int) -> socket.socket:
    """The listening socket, opened now; raises `CliError` when the port is taken or the host is unknown."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(f"cannot listen on {host}: {exc.strerror}") from None
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
    except OSError as exc:
        sock.close()
        raise CliError(
            f"port {port} on {host} is taken ({exc.strerror}): stop what uses it or choose another with --port"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class QuietServer(uvicorn.Server):
    """uvicorn, stopped by this command's signal handlers instead of its own."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass
class Bindings:
    """The services this process bound to the gateway, unbound again on exit."""

    gateway: GatewayClient
    url: str
    bound: list[Address] = field(default_factory=list)

    @staticmethod
    def path(address: Address) -> str:
        return f"/api/v1/services/{address.agency}/{address.code}/v{address.major}/backend"

    async def bind(self, address: Address, url: str) -> None:
        """Bind `address` to `url`; refused when it is bound elsewhere, whose binding exit would then delete."""
        try:
            current = await self.gateway.send("GET", self.path(address))
        except ApiProblem as exc:
            if exc.status != 404:  # 404: not bound yet, or not registered (said by the PUT below)
                raise CliError(f"cannot read the binding of {address}: {exc.one_line()}") from None
        else:
            if current.get("url") != url:
                raise CliError(
                    f"{address} is bound to {current.get('url')} already: unbind it first "
                    f"(lgsp service unbind {address}), or serve with --no-bind"
                )
        try:
            await self.gateway.send("PUT", self.path(address), json={"url": url})
        except ApiProblem as exc:
            if exc.status == 404:
                raise CliError(
                    f"{address} is not registered at {self.url}: register its contract first "
                    "(lgsp contract register FILE)"
                ) from None
            raise CliError(f"cannot bind {address} to {url}: {exc.one_line()}") from None
        self.bound.append(address)

    async def unbind_all(self) -> list[str]:
        """Unbind every service bound; the failures, one line each."""
        failures = []
        for address in self.bound:
            try:
                await self.gateway.send("DELETE", self.path(address))
            except Exception as exc:  # the others are unbound all the same; each failure is said
                reason = exc.one_line() if isinstance(exc, ApiProblem) else f"{type(exc).__name__}: {exc}"
                failures.append(f"cannot unbind {address}: {reason}")
        self.bound.clear()
        return failures


async def serve_http(
    connectors: list[Connector],
    *,
    sock: socket.socket,
    host: str,
    gateway: GatewayClient,
    url: str,
    bind: bool,
    freshness: float,
    max_body_bytes: int,
    leases: Bus | None = None,
    share_now: bool = False,
    not_shared: str | None = None,
) -> None:
    """Serve on `sock` until SIGINT or SIGTERM; raises `CliError` for what the user can fix.

    `leases`: a bus not started yet, to share the datasets on (its groups are their leases), with `gateway`'s
    client, as `lgsp connector run` does; none: the datasets are not shared, for the reason `not_shared`."""
    keys = GatewayKeys(url=url)
    bindings = Bindings(gateway, url)
    sharing: DatasetSharing | None = None
    port = sock.getsockname()[1]
    advertised = "127.0.0.1" if host in WILDCARDS else host
    base = f"http://{f'[{advertised}]' if ':' in advertised else advertised}:{port}"
    try:
        try:
            await keys.start()
            await fetch_missing_contracts(connectors, gateway)
        except KeysUnavailable:
            raise CliError(f"cannot reach the gateway at {url}; is `lgsp up` running?") from None
        except ContractUnavailable as exc:
            raise CliError(
                f"{exc.detail}; register the contract first (lgsp contract register FILE)"
            ) from None
        app = build_http_app(connectors, keys, freshness=freshness, max_body_bytes=max_body_bytes)
        addresses = [address for connector in connectors for address in connector.services]
        if bind:
            for address in addresses:
                await bindings.bind(address, base + route_path(address))
        rows = [(str(a), base + route_path(a), "bound" if bind else "not bound") for a in addresses]
        print_rows(
            console, ("service", "url", "gateway"), rows, identifiers=("service", "url"), title="Serving"
        )
        if leases is not None:
            try:
                await leases.start()
            except BusUnavailable as exc:
                raise CliError(f"cannot take the datasets' leases: {exc.detail}") from None
            sharing = DatasetSharing(connectors, leases, gateway, share_now=share_now)
            await sharing.start()
            print_sharing(sharing.schedules)
        elif datasets := [str(a) for connector in connectors for a in connector.datasets]:
            console.print(f"{', '.join(datasets)} not shared: {not_shared}", soft_wrap=True)
        console.print(f"gateway {url}; stop with Ctrl+C")
        server = QuietServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, lambda: setattr(server, "should_exit", True))
        await server.serve(sockets=[sock])
    finally:
        if sharing is not None:
            await sharing.stop()  # share runs in flight finish first
        if leases is not None:
            await leases.stop()
        failures = await bindings.unbind_all() if bindings.bound else []
        await keys.aclose()
        await gateway.aclose()
        if failures:  # still bound to a URL that no longer answers: say so, and how to fix it
            raise CliError(f"{'; '.join(failures)} (lgsp service unbind ADDRESS)")
    if bind:
        console.print(f"unbound {', '.join(str(a) for a in addresses)}")

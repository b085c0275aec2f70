"""Where backends may live: the operator's CIDRs (`LGSP_BACKEND_NETWORKS`), never link-local, never the gateway.

A URL is checked when it is bound and again before every call, on the addresses its host resolves to then (a
name re-pointed after binding, DNS rebinding, is caught); the call then goes to the address just checked, not to
a second resolution.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from contracts.errors import LgspError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LINK_LOCAL: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
)


class BackendNetworkForbidden(LgspError):
    name, status, title = "backend-network-forbidden", 422, "The backend is outside the allowed networks"


class BackendUrlInvalid(LgspError):
    name, status, title = "backend-url-invalid", 422, "Invalid backend URL"


@dataclass(frozen=True, slots=True)
class Target:
    """A checked backend URL: the address to connect to and the host name it was reached by."""

    url: str
    host: str
    address: IPAddress
    port: int

    @property
    def pinned_url(self) -> str:
        """The URL with its host replaced by the checked address (the Host header carries the name)."""
        parts = urlsplit(self.url)
        shown = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return parts._replace(netloc=f"{shown}:{self.port}").geturl()


class NetworkGuard:
    def __init__(self, networks: Iterable[str], own_listeners: Sequence[str] = ()) -> None:
        """`networks`: allowed CIDRs; `own_listeners`: the gateway's own URLs (its issuer), never a backend."""
        try:
            self.networks = [ipaddress.ip_network(cidr, strict=False) for cidr in networks]
        except ValueError as exc:
            raise ValueError(f"LGSP_BACKEND_NETWORKS: {exc}") from None
        self._own: list[tuple[str, int]] = []
        self._own_resolved: set[tuple[IPAddress, int]] | None = None
        for listener in own_listeners:
            parts = urlsplit(listener)
            if parts.hostname:
                self._own.append((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))

    @staticmethod
    def parse(url: str) -> tuple[str, int]:
        """The URL's host and port; raises `BackendUrlInvalid` unless it is an absolute http(s) URL."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise BackendUrlInvalid(f"the backend URL cannot be read: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BackendUrlInvalid("the backend URL must be an absolute http:// or https:// URL")
        if parts.username or parts.password:
            raise BackendUrlInvalid("put credentials in auth, not in the backend URL")
        return parts.hostname, port or (443 if parts.scheme == "https" else 80)

    async def check(self, url: str) -> Target:
        """The URL's target if every address its host resolves to is allowed; else `BackendNetworkForbidden`."""
        host, port = self.parse(url)
        addresses = await _resolve(host, port)
        own = await self._own_addresses()
        for address in addresses:
            self._check_address(host, address, port, own)
        return Target(url, host, addresses[0], port)

    def _check_address(
        self, host: str, address: IPAddress, port: int, own: set[tuple[IPAddress, int]]
    ) -> None:
        where = f"{host} ({address})" if host != str(address) else str(address)
        if any(address in network for network in LINK_LOCAL):
            raise BackendNetworkForbidden(f"{where} is link-local; backends never are")
        if (address, port) in own or (
            address.is_loopback and any(p == port for (a, p) in own if a.is_loopback)
        ):
            raise BackendNetworkForbidden(f"{where}:{port} is the gateway's own listener")
        if not any(address in network for network in self.networks if network.version == address.version):
            raise BackendNetworkForbidden(f"{where} is outside LGSP_BACKEND_NETWORKS")

    async def _own_addresses(self) -> set[tuple[IPAddress, int]]:
        """The gateway's own listeners, resolved once (a resolution per call queued every call behind the
        resolver's thread pool)."""
        if self._own_resolved is None:
            found: set[tuple[IPAddress, int]] = set()
            for host, port in self._own:
                try:
                    found.update((address, port) for address in await _resolve(host, port))
                except BackendUrlInvalid:
                    continue
            self._own_resolved = found
        return self._own_resolved


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [_plain(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BackendUrlInvalid(f"the backend host {host} does not resolve: {exc}") from None
    addresses = [_plain(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos]
    return list(dict.fromkeys(addresses))


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (::ffff:169.254.169.254) as the IPv4 address it reaches."""
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return mapped or address

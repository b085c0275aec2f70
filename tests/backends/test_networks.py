"""The networks guard on its own: names are resolved and every address they give is checked."""

import pytest

from registry.backends.networks import BackendNetworkForbidden, BackendUrlInvalid, NetworkGuard

DEFAULT = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]


class TestNames:
    async def test_a_name_is_judged_by_the_addresses_it_resolves_to(self) -> None:
        target = await NetworkGuard(DEFAULT).check("http://localhost:9000/api")
        assert target.address.is_loopback
        assert target.pinned_url.startswith(("http://127.", "http://[::1]"))
        with pytest.raises(BackendNetworkForbidden):
            await NetworkGuard(["10.0.0.0/8"]).check("http://localhost:9000/api")

    async def test_a_name_that_does_not_resolve_is_refused(self) -> None:
        with pytest.raises(BackendUrlInvalid, match="does not resolve"):
            await NetworkGuard(DEFAULT).check("http://khong-ton-tai.invalid/")


class TestAddresses:
    @pytest.mark.parametrize(
        "url",
        ["http://[::ffff:169.254.169.254]/", "http://0.0.0.0:9000/", "http://[fe80::1%25eth0]/"],
        ids=["ipv4-mapped-link-local", "unspecified", "link-local-with-zone"],
    )
    async def test_disguised_addresses_are_refused(self, url: str) -> None:
        with pytest.raises((BackendNetworkForbidden, BackendUrlInvalid)):
            await NetworkGuard(DEFAULT).check(url)

    async def test_link_local_is_refused_even_when_the_operator_allows_everything(self) -> None:
        with pytest.raises(BackendNetworkForbidden, match="link-local"):
            await NetworkGuard(["0.0.0.0/0", "::/0"]).check("http://[::ffff:169.254.169.254]/")

    async def test_the_gateways_own_listener_is_refused(self) -> None:
        guard = NetworkGuard(DEFAULT, own_listeners=["http://localhost:8080"])
        with pytest.raises(BackendNetworkForbidden, match="own listener"):
            await guard.check("http://127.0.0.1:8080/api")
        assert (await guard.check("http://127.0.0.1:8081/api")).port == 8081

    @pytest.mark.parametrize("url", ["ftp://10.0.0.1/", "http:///x", "http://user:pw@10.0.0.1/"])
    async def test_urls_that_are_not_plain_http_are_refused(self, url: str) -> None:
        with pytest.raises(BackendUrlInvalid):
            await NetworkGuard(DEFAULT).check(url)

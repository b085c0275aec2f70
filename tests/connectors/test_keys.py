"""The gateway's JWKS as a connector holds it: fetched, cached, fetched again on rotation, never hammered.

The JWKS is served through an httpx transport stub: fetching keys over HTTP is the client's part here; the
gateway's real `/.well-known/envelope-jwks.json` is exercised by the end-to-end tests.
"""

import httpx
import pytest
from joserfc.jwk import ECKey

from bus import InProcessBus
from connectors.sdk import GatewayKeys
from connectors.sdk.keys import KeysUnavailable, signature_kid
from contracts.signing import SignatureInvalid
from tests.connectors.conftest import Gateway, new_key, public_set


class JwksServer:
    """Serves whichever keys it is given, counting the fetches."""

    def __init__(self, *keys: ECKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/.well-known/envelope-jwks.json"
        self.fetches += 1
        return httpx.Response(200, json={"keys": [key.as_dict(private=False) for key in self.keys]})

    def keys_for(self, **options: float) -> GatewayKeys:
        return GatewayKeys(url="http://gateway.test", transport=httpx.MockTransport(self), **options)


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus("gw-keys")


class TestFetch:
    async def test_keys_are_fetched_once_and_verify_the_gateways_requests(self, bus: InProcessBus) -> None:
        key = new_key("k1")
        server = JwksServer(key)
        keys = server.keys_for()
        await keys.start()

        for _ in range(3):
            await keys.verify(Gateway(bus, key, "k1").signed())

        assert server.fetches == 1
        await keys.aclose()

    async def test_a_gateway_that_cannot_be_reached_at_start_is_an_error(self) -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        keys = GatewayKeys(url="http://gateway.test", transport=httpx.MockTransport(refuse))
        with pytest.raises(KeysUnavailable, match=r"gateway\.test"):
            await keys.start()


class TestRotation:
    async def test_a_request_signed_with_a_new_kid_makes_the_keys_fetched_again(
        self, bus: InProcessBus
    ) -> None:
        old, new = new_key("k1"), new_key("k2")
        server = JwksServer(old)
        keys = server.keys_for(min_refetch_interval=60)
        await keys.start()

        server.keys = [old, new]  # the gateway rotated
        await keys.verify(Gateway(bus, new, "k2").signed())

        assert server.fetches == 2

    async def test_unknown_kids_are_fetched_for_at_most_once_per_interval(self, bus: InProcessBus) -> None:
        server = JwksServer(new_key("k1"))
        keys = server.keys_for(min_refetch_interval=60)
        await keys.start()
        forger = Gateway(bus, new_key("forged"), "forged")

        for _ in range(5):
            with pytest.raises(SignatureInvalid):
                await keys.verify(forger.signed())

        assert server.fetches == 2

    async def test_a_withdrawn_key_stops_verifying_once_the_cache_is_stale(self, bus: InProcessBus) -> None:
        old, new = new_key("k1"), new_key("k2")
        server = JwksServer(old)
        keys = server.keys_for(min_refetch_interval=0, max_age=0)
        await keys.start()
        await keys.verify(Gateway(bus, old, "k1").signed())

        server.keys = [new]
        with pytest.raises(SignatureInvalid):
            await keys.verify(Gateway(bus, old, "k1").signed())


class TestGivenKeys:
    async def test_a_fixed_key_set_verifies_without_fetching(self, bus: InProcessBus) -> None:
        key = new_key("k1")
        keys = GatewayKeys(key_set=public_set(key))
        await keys.start()
        await keys.verify(Gateway(bus, key, "k1").signed())
        with pytest.raises(SignatureInvalid):
            await keys.verify(Gateway(bus, new_key("k1"), "k1").signed())

    async def test_a_provider_is_read_on_every_request(self, bus: InProcessBus) -> None:
        old, new = new_key("k1"), new_key("k2")
        current = [public_set(old)]
        keys = GatewayKeys(provider=lambda: current[0])
        await keys.verify(Gateway(bus, old, "k1").signed())

        current[0] = public_set(new)

        await keys.verify(Gateway(bus, new, "k2").signed())
        with pytest.raises(SignatureInvalid):
            await keys.verify(Gateway(bus, old, "k1").signed())

    def test_exactly_one_source(self) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            GatewayKeys()


class TestSignatureKid:
    def test_reads_the_kid_of_a_detached_signature_and_none_of_garbage(self, bus: InProcessBus) -> None:
        signed = Gateway(bus, new_key("k9"), "k9").signed()
        assert signature_kid(signed.signature) == "k9"
        assert signature_kid("not-base64!..x") is None
        assert signature_kid(None) is None

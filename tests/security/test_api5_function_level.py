"""API5 Broken function-level authorisation: every route that changes something needs a token, and a route for
managers refuses a consumer before it reads the body (a 403, not a 422 that teaches the body's shape).

The routes by role are tabled in README.md, section "Security"."""

import re

from fastapi.routing import iter_route_contexts

from tests.harness import Harness
from tests.security.province import seed

CHANGES = {"POST", "PUT", "PATCH", "DELETE"}
# the only changing routes a caller reaches without the manage scope: the token endpoint (client credentials)
# and the exchange path (a bearer token with the address's scope, checked by the exchange flow)
NOT_FOR_MANAGERS = {
    "/oauth/token",
    "/exchange/{agency}/{service}/v{major}",
    "/share/{agency}/{dataset}/v{major}",
}

# the federation's routes between platforms: the caller proves itself by a signature over the body (a join request
# by a key it names, a report by its member key) or, for a hop of a call across, by an RFC 7523 client assertion,
# not by a token; tests/federation refuses unsigned, forged and expired ones
SIGNED = {
    "/api/v1/federation/members",
    "/api/v1/federation/services",
    "/api/v1/federation/reports",
    "/api/v1/federation/exchange/{agency}/{service}/v{major}",
}


# Answer 404 to anyone ("an address takes the major version"): they change nothing.
ADDRESS_HINTS = {"/exchange/{agency}/{service}/{version}", "/share/{agency}/{service}/{version}"}


def changing_routes(harness: Harness) -> list[tuple[str, str]]:
    return sorted(
        (method, str(route.path))
        for route in iter_route_contexts(harness.app.routes)
        for method in (route.methods or set()) & CHANGES
        if str(route.path) not in ADDRESS_HINTS | SIGNED
    )


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


class TestEveryChangeNeedsAToken:
    async def test_every_changing_route_answers_401_without_credentials(self, gateway: Harness) -> None:
        routes = changing_routes(gateway)
        assert len(routes) >= 15  # the walk found the registry's routes, not an empty app
        for method, path in routes:
            if path == "/oauth/token":  # the credentials are the client's own, in the form
                response = await gateway.http.post(path, data={"grant_type": "client_credentials"})
            else:
                response = await gateway.http.request(method, concrete(path), json={})
            assert response.status_code == 401, (method, path, response.status_code)


class TestManagersOnly:
    async def test_a_consumer_gets_403_before_any_body_check_on_every_manager_route(
        self, gateway: Harness
    ) -> None:
        province = await seed(gateway)
        for method, path in changing_routes(gateway):
            if path in NOT_FOR_MANAGERS:
                continue
            response = await gateway.http.request(
                method, concrete(path), json={"unexpected": True}, headers=province.portal
            )
            assert response.status_code == 403, (method, path, response.status_code)

    async def test_an_incomplete_agency_from_a_consumer_is_403(self, gateway: Harness) -> None:
        province = await seed(gateway)
        response = await gateway.http.post(
            "/api/v1/agencies", json={"code": "H50.99"}, headers=province.portal
        )
        assert response.status_code == 403
        assert "errors" not in response.json()

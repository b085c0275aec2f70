"""Property-based requests over the whole OpenAPI (Schemathesis): whatever a client sends, no answer is a 5xx.

The gateway runs over real HTTP on SQLite with a small province; every operation gets `EXAMPLES` generated
requests with the platform admin's token (the deepest reach), about 2,000 requests, which keeps the run
under a minute in CI; then sequences of requests, chained by the links Schemathesis infers."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.harness import ADMIN_ID, ADMIN_SECRET, LiveGateway, basic, gateway_settings

EXAMPLES = 40


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveGateway]:
    data: Path = tmp_path_factory.mktemp("schemathesis")
    settings_ = gateway_settings(f"sqlite+aiosqlite:///{data / 'lgsp.db'}", data, reply_timeout_seconds=0.5)
    with LiveGateway(settings_) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def admin_headers(live: LiveGateway) -> dict[str, str]:
    token = httpx.post(
        f"{live.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers=basic(ADMIN_ID, ADMIN_SECRET),
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_no_request_gets_a_server_error(live: LiveGateway, admin_headers: dict[str, str]) -> None:
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: Any) -> None:
            response = case.call(base_url=live.url, headers=admin_headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {case.body!r:.200}"
                )

        run()
    assert operations >= 40  # the whole API was walked
    assert failures == []


STATEFUL_SCENARIOS = 25


def test_no_sequence_of_requests_gets_a_server_error(
    live: LiveGateway, admin_headers: dict[str, str]
) -> None:
    """Stateful: Schemathesis chains operations by the links it infers (a resource created, then read, changed
    and deleted by the id its answer gave), so the calls reach real records rather than 404s."""
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    failures: list[str] = []
    calls: list[int] = []
    reached: set[str] = set()

    class Machine(api.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            case.headers = {**(case.headers or {}), **admin_headers}  # not a generated Authorization

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": live.url}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            calls.append(response.status_code)
            reached.add(f"{case.method} {case.path}")
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

    Machine.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS, stateful_step_count=6, deadline=None,
            suppress_health_check=list(HealthCheck), database=None,
        )
    )  # fmt: skip
    print(f"\nstateful: {len(calls)} calls over {len(reached)} operations, {sum(c < 300 for c in calls)} 2xx")
    assert len(calls) >= STATEFUL_SCENARIOS  # the sequences ran
    assert failures == []

"""`GET /metrics` as Prometheus's own `promtool check metrics` reads it, after traffic of every kind."""

import pytest

from contracts.addresses import Address
from registry.demo import load_contracts
from tests.conformance.tools import promtool, run
from tests.harness import Harness

DATASET = Address("H50.20", "thua-dat", 1)


@pytest.fixture(scope="module")
async def exposition(demo: Harness) -> bytes:
    """The metrics after shares accepted and refused and calls to an unknown service (logged, so counted)."""
    client_id, secret = await demo.create_client("H50.20", "metrics-tnmt")
    grant = {"client_id": client_id, "address": str(DATASET), "purpose": "chia sẻ dữ liệu đất đai"}
    assert (await demo.post("/api/v1/grants", grant)).status_code == 201
    headers = await demo.auth(client_id, secret)
    (dataset,) = [d for d in load_contracts() if d.address == DATASET]
    records = [example.record for example in dataset.examples]
    assert (
        await demo.http.post(f"/share/{DATASET}", json={"records": records}, headers=headers)
    ).status_code == 202
    refused = await demo.http.post(f"/share/{DATASET}", json={"records": [{"x": 1}]}, headers=headers)
    assert refused.status_code == 422
    unknown = await demo.http.post("/exchange/H50.20/khong-co/v1", json={}, headers=headers)
    assert unknown.status_code == 404
    response = await demo.http.get("/metrics")
    assert response.status_code == 200
    return response.content


class TestPromtool:
    def test_check_metrics_finds_nothing(self, exposition: bytes) -> None:
        result = run([promtool(), "check", "metrics"], stdin=exposition)
        assert (result.returncode, result.stdout + result.stderr) == (0, b"")
        assert b'outcome="client_error"' in exposition  # the traffic above is in what was checked

    def test_promtool_does_report_a_metric_without_help(self) -> None:
        result = run([promtool(), "check", "metrics"], stdin=b"# TYPE lgsp_x_total counter\nlgsp_x_total 1\n")
        assert result.returncode != 0
        assert b"no help text" in result.stdout + result.stderr

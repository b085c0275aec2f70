"""A platform outside any federation (the default: a province without LGSP_NATIONAL_URL) keeps none and joins
none, and says so with problems; a member whose national key is not pinned does not start."""

from __future__ import annotations

from pathlib import Path

import pytest

from federation.runtime import Federation, FederationCannotStart, FederationConfig
from tests.harness import Harness


def config(tmp_path: Path, **changes: object) -> FederationConfig:
    values: dict[str, object] = {
        "tier": "province", "code": "H50", "name": "Tỉnh", "base_url": "http://127.0.0.1:9",
        "key_file": tmp_path / "federation-key.jwk", "directory_file": tmp_path / "federation-directory.jws",
        "national_url": None, "national_key_file": None, "refresh_seconds": 60.0, "validity_seconds": 3600.0,
    }  # fmt: skip
    return FederationConfig(**(values | changes))  # type: ignore[arg-type]


class TestOutsideAnyFederation:
    async def test_joining_and_publishing_are_409_problems(self, gateway: Harness) -> None:
        admin = await gateway.admin()
        joined = await gateway.http.post("/api/v1/federation/join", json={}, headers=admin)
        published = await gateway.http.post(
            "/api/v1/federation/publications", json={"address": "H50.20/tra-cuu/v1"}, headers=admin
        )
        for answer in (joined, published):
            assert answer.status_code == 409
            assert answer.json()["type"] == "urn:lgsp:error:not-federated"

    async def test_the_national_routes_are_404_problems(self, gateway: Harness) -> None:
        admin = await gateway.admin()
        for answer in (
            await gateway.http.get("/api/v1/federation/directory"),
            await gateway.http.get("/api/v1/federation/members", headers=admin),
            await gateway.http.post("/api/v1/federation/members/H50/approve", headers=admin),
        ):
            assert answer.status_code == 404
            assert answer.json()["type"] == "urn:lgsp:error:not-national-tier"

    async def test_it_shows_no_remote_services_and_writes_no_federation_key(self, gateway: Harness) -> None:
        assert (await gateway.http.get("/api/v1/federation/catalogue")).json() == []
        assert not (gateway.settings.data_dir / "federation-key.jwk").exists()


class TestAMemberPinsTheNationalKey:
    async def test_without_the_pinned_key_it_does_not_start(self, tmp_path: Path) -> None:
        with pytest.raises(FederationCannotStart, match="LGSP_NATIONAL_KEY_FILE"):
            await Federation.start(config(tmp_path, national_url="http://127.0.0.1:9"))

    async def test_with_a_file_that_holds_no_key_it_does_not_start(self, tmp_path: Path) -> None:
        pinned = tmp_path / "national.json"
        pinned.write_text('{"keys": []}')
        with pytest.raises(FederationCannotStart, match="no JWK"):
            await Federation.start(
                config(tmp_path, national_url="http://127.0.0.1:9", national_key_file=pinned)
            )

"""The national tier and two provinces as real processes: joining, the signed directory, publishing nationally,
suspension, a tampered or stale directory, and the national tier going away."""

from __future__ import annotations

import json
import time

import pytest

from contracts.signing import generate_message_key
from federation.directory import Directory, DirectoryRefused
from federation.signing import load_pinned, public_keys, sign
from tests.federation.conftest import (
    PROVINCE_A,
    PROVINCE_B,
    SERVICE_ADDRESS,
    Federation,
    Instance,
    wait_until,
)

PROBLEM = "application/problem+json"


def newest_version(federation: Federation) -> int:
    with federation.national.http(authenticated=False) as http:
        return Directory.verified(
            http.get("/api/v1/federation/directory").text, load_pinned(federation.pinned)
        ).version


def remote_addresses(instance: Instance) -> list[str]:
    with instance.http(authenticated=False) as http:
        return [service["address"] for service in http.get("/api/v1/federation/catalogue").json()]


class TestJoining:
    def test_approved_members_are_active_in_the_directory_each_member_verified(
        self, joined: Federation
    ) -> None:
        with joined.national.http() as http:
            members = {m["code"]: m for m in http.get("/api/v1/federation/members").json()}
        assert members[PROVINCE_A]["status"] == members[PROVINCE_B]["status"] == "active"
        assert members[PROVINCE_A]["base_url"] == joined.a.url
        assert members[PROVINCE_A]["decided_by"] == "federation-admin"
        assert all("d" not in key for key in members[PROVINCE_A]["keys"])
        newest = newest_version(joined)
        status = wait_until(lambda: (found := joined.a.status())["directory"]["version"] == newest and found)
        assert status["directory"]["source"] == "national"
        assert status["directory"]["members"] == 2

    def test_the_members_private_key_stays_in_its_data_directory_readable_by_it_alone(
        self, joined: Federation
    ) -> None:
        key = joined.a.directory / "federation-key.jwk"
        assert key.stat().st_mode & 0o077 == 0
        assert "d" in json.loads(key.read_text())

    def test_a_member_cannot_ask_again_once_active(self, joined: Federation) -> None:
        again = joined.a.lgsp("federation", "join")
        assert again.returncode == 1
        assert "already active" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1


class TestDecisionsAreTheNationalAdmins:
    def test_without_a_token_a_decision_is_a_401_problem(self, joined: Federation) -> None:
        with joined.national.http(authenticated=False) as http:
            answer = http.post(f"/api/v1/federation/members/{PROVINCE_A}/suspend")
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)

    def test_an_unknown_member_is_a_404_problem(self, joined: Federation) -> None:
        with joined.national.http() as http:
            answer = http.post("/api/v1/federation/members/H77/approve")
        assert answer.status_code == 404
        assert answer.json()["type"] == "urn:lgsp:error:not-found"

    def test_a_decision_that_does_not_follow_is_a_409_problem(self, joined: Federation) -> None:
        with joined.national.http() as http:
            answer = http.post(f"/api/v1/federation/members/{PROVINCE_A}/resume")
        assert answer.status_code == 409

    def test_a_province_keeps_no_federation(self, joined: Federation) -> None:
        with joined.a.http() as http:
            answer = http.get("/api/v1/federation/directory")
        assert answer.status_code == 404
        assert answer.json()["type"] == "urn:lgsp:error:not-national-tier"


class TestJoinRequestsAreSigned:
    def test_a_request_not_signed_by_the_key_it_names_is_refused(self, joined: Federation) -> None:
        named, signer = generate_message_key(), generate_message_key()
        claim = {"code": "H77", "name": "Tỉnh giả", "base_url": "http://127.0.0.1:9", "iat": int(time.time())}
        forged = sign(claim | {"keys": public_keys(named)}, signer)
        with joined.national.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/members", json={"request": forged})
            members = [
                m["code"]
                for m in http.get("/api/v1/federation/members", headers=joined.national.auth()).json()
            ]
        assert answer.status_code == 401
        assert answer.json()["type"] == "urn:lgsp:error:federation-signature-invalid"
        assert "H77" not in members

    @pytest.mark.parametrize(
        "bad",
        [{"kty": "oct", "k": "AAAA", "kid": "x"}, {"kty": "OKP", "kid": "y"}, "not a key"],
        ids=["symmetric", "incomplete", "not-an-object"],
    )
    def test_a_request_naming_a_key_that_is_no_public_signing_key_is_a_422_problem(
        self, joined: Federation, bad: object
    ) -> None:
        signer = generate_message_key()
        claim = {"code": "H77", "name": "Tỉnh", "base_url": "http://127.0.0.1:9", "iat": int(time.time())}
        request = sign(claim | {"keys": [*public_keys(signer), bad]}, signer)
        with joined.national.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/members", json={"request": request})
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith(PROBLEM)

    def test_a_request_carrying_a_private_key_is_a_422_problem(self, joined: Federation) -> None:
        signer = generate_message_key()
        claim = {"code": "H77", "name": "Tỉnh", "base_url": "http://127.0.0.1:9", "iat": int(time.time())}
        private = signer.as_dict(private=True) | {"kid": signer.kid}
        with joined.national.http(authenticated=False) as http:
            answer = http.post(
                "/api/v1/federation/members", json={"request": sign(claim | {"keys": [private]}, signer)}
            )
        assert answer.status_code == 422
        assert "private" in answer.json()["detail"]

    def test_a_malformed_body_is_a_422_problem(self, joined: Federation) -> None:
        with joined.national.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/members", json={"request": 5, "extra": True})
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith(PROBLEM)


class TestTheDirectory:
    def test_it_is_signed_by_the_pinned_national_key_and_its_version_grows_with_each_change(
        self, joined: Federation
    ) -> None:
        pinned = load_pinned(joined.pinned)
        with joined.national.http(authenticated=False) as http:
            before = Directory.verified(http.get("/api/v1/federation/directory").text, pinned)
            with joined.national.http() as admin:
                assert admin.post(f"/api/v1/federation/members/{PROVINCE_B}/suspend").status_code == 200
                assert admin.post(f"/api/v1/federation/members/{PROVINCE_B}/resume").status_code == 200
            after = Directory.verified(http.get("/api/v1/federation/directory").text, pinned)
        assert after.version == before.version + 2
        assert {m["code"] for m in after.members} == {PROVINCE_A, PROVINCE_B}

    def test_the_national_status_gives_the_version_it_signs(self, joined: Federation) -> None:
        status = joined.national.status()
        assert status["tier"] == "national"
        assert status["directory"]["version"] == newest_version(joined)

    def test_a_member_holds_the_newest_version(self, joined: Federation) -> None:
        newest = newest_version(joined)
        wait_until(lambda: joined.a.status()["directory"]["version"] == newest)

    def test_a_directory_signed_by_another_key_is_not_believed(self, joined: Federation) -> None:
        with joined.a.http(authenticated=False) as http:  # a province signs with its own federation key
            own = http.get("/api/v1/federation/directory")
        assert own.status_code == 404
        with pytest.raises(DirectoryRefused):
            Directory.verified("e30.e30.e30", load_pinned(joined.pinned))


class TestPublishingNationally:
    def test_the_service_appears_in_the_other_members_and_the_national_catalogue(
        self, published: Federation
    ) -> None:
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))
        assert SERVICE_ADDRESS in remote_addresses(published.national)
        assert SERVICE_ADDRESS not in remote_addresses(published.a)  # its own, not remote

    def test_with_its_openapi(self, published: Federation) -> None:
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))
        with published.b.http(authenticated=False) as http:
            openapi = http.get(f"/api/v1/federation/catalogue/{SERVICE_ADDRESS}/openapi.json")
        assert openapi.status_code == 200
        assert openapi.json()["openapi"].startswith("3.1")

    def test_an_unknown_remote_service_is_a_404_problem(self, published: Federation) -> None:
        with published.b.http(authenticated=False) as http:
            answer = http.get("/api/v1/federation/catalogue/H50.98/khong-co/v1/openapi.json")
        assert answer.status_code == 404

    def test_a_report_not_signed_by_the_members_key_is_refused(self, published: Federation) -> None:
        claim = {
            "member": PROVINCE_A,
            "address": "H50.98/gia-mao/v1",
            "national": True,
            "iat": int(time.time()),
        }
        forged = sign(claim | {"title": "Giả", "version": "1.0.0", "openapi": {}}, generate_message_key())
        with published.national.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/services", json={"report": forged})
        assert answer.status_code == 401
        assert answer.json()["type"] == "urn:lgsp:error:federation-signature-invalid"
        assert "H50.98/gia-mao/v1" not in remote_addresses(published.national)

    def test_a_report_from_a_platform_that_is_not_a_member_is_a_403_problem(
        self, published: Federation
    ) -> None:
        claim = {"member": "H77", "address": "H77.01/dich-vu/v1", "national": True, "iat": int(time.time())}
        report = sign(claim | {"title": "Giả", "version": "1.0.0", "openapi": {}}, generate_message_key())
        with published.national.http(authenticated=False) as http:
            answer = http.post("/api/v1/federation/services", json={"report": report})
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:not-a-member"

    def test_a_member_cannot_publish_a_service_of_another_member(self, published: Federation) -> None:
        with published.b.http() as http:
            answer = http.post("/api/v1/federation/publications", json={"address": SERVICE_ADDRESS})
        assert answer.status_code == 404  # B has no such service of its own
        assert answer.headers["content-type"].startswith(PROBLEM)


class TestSuspension:
    def test_a_suspended_member_is_refused_within_one_refresh_and_its_services_leave_the_catalogues(
        self, published: Federation
    ) -> None:
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))
        assert published.national.lgsp("federation", "suspend", PROVINCE_A).returncode == 0
        try:
            wait_until(lambda: SERVICE_ADDRESS not in remote_addresses(published.b))
            wait_until(lambda: published.a.status()["member_status"] == "suspended")
            refused = published.a.lgsp("federation", "publish", SERVICE_ADDRESS)
            assert refused.returncode == 1
            assert "not an active member" in refused.stderr
        finally:
            assert published.national.lgsp("federation", "resume", PROVINCE_A).returncode == 0
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))


class TestWithdrawing:
    def test_a_withdrawn_service_leaves_the_other_catalogues_and_can_be_published_again(
        self, published: Federation
    ) -> None:
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))
        assert published.a.lgsp("federation", "withdraw", SERVICE_ADDRESS).returncode == 0
        assert SERVICE_ADDRESS not in remote_addresses(published.national)
        wait_until(lambda: SERVICE_ADDRESS not in remote_addresses(published.b))
        assert published.a.lgsp("federation", "publish", SERVICE_ADDRESS).returncode == 0
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))


class TestTamperedAndStaleDirectories:
    def test_a_tampered_directory_is_refused_and_the_last_good_copy_kept(self, published: Federation) -> None:
        b = published.b
        held = wait_until(lambda: b.status()["directory"]["version"])
        published.proxy.mode = "tamper"
        try:
            wait_until(lambda: "signature" in (b.status()["directory"]["last_error"] or ""))
            status = b.status()
            assert status["directory"]["version"] == held
            assert status["directory"]["members"] == 2  # the forged member is not believed
            on_disk = Directory.verified(
                (b.directory / "federation-directory.jws").read_text(), load_pinned(published.pinned)
            )
            assert on_disk.version == held
        finally:
            published.proxy.mode = "pass"
        wait_until(lambda: b.status()["directory"]["last_error"] is None)

    def test_an_older_directory_is_refused(self, published: Federation) -> None:
        b = published.b
        with published.national.http(authenticated=False) as http:
            published.proxy.stale = http.get("/api/v1/federation/directory").text
        with published.national.http() as admin:  # a change: the stale copy is now older
            assert admin.post(f"/api/v1/federation/members/{PROVINCE_B}/suspend").status_code == 200
            assert admin.post(f"/api/v1/federation/members/{PROVINCE_B}/resume").status_code == 200
        newest = newest_version(published)
        wait_until(lambda: b.status()["directory"]["version"] == newest)
        published.proxy.mode = "stale"
        try:
            wait_until(lambda: "older" in (b.status()["directory"]["last_error"] or ""))
            assert b.status()["directory"]["version"] >= newest
        finally:
            published.proxy.mode = "pass"


class TestTheNationalTierGone:
    """Last in the module: the national tier is killed (as a crash)."""

    def test_members_keep_the_last_good_copy_even_across_a_restart(self, published: Federation) -> None:
        wait_until(lambda: SERVICE_ADDRESS in remote_addresses(published.b))
        held = published.b.status()["directory"]["version"]
        published.national.process.kill()
        wait_until(lambda: published.b.status()["directory"]["last_error"] is not None)
        assert SERVICE_ADDRESS in remote_addresses(published.b)
        published.b.restart()
        status = published.b.status()
        assert status["directory"]["source"] == "disk"
        assert status["directory"]["version"] == held
        assert SERVICE_ADDRESS in remote_addresses(published.b)

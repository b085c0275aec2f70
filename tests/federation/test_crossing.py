"""Calling across the federation with real processes on loopback: a client of province B (H93) calls a service of
province A (H50, its demo connectors answering) at its own gateway; B forwards it through the national tier (G01)
to A, each hop authenticated by a client assertion and logging the same exchange id with its role."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from contracts.signing import generate_message_key
from federation.assertions import make_assertion
from federation.signing import load_or_create_key, public_keys, sign
from gateway.exchangelog.record import new_exchange_id
from tests.federation.conftest import (
    NATIONAL,
    PROVINCE_A,
    PROVINCE_B,
    SERVICE_ADDRESS,
    Federation,
    Instance,
    handmade_report,
    publish_test_service,
    running_federation,
    wait_until,
)

ADDRESS = "H50.03/trich-luc-khai-sinh/v1"  # a demo service of province A
REQUEST = {"citizen_id": "045223000389"}
SLOW_ADDRESS = SERVICE_ADDRESS  # a service of A that no connector answers: a provider that never replies
PROBLEM = "application/problem+json"
DEADLINE = 4  # seconds: the origin's reply timeout, the deadline that travels with each call


@pytest.fixture(scope="module")
def federation() -> Iterator[Federation]:
    """This module's topology: province A runs the demo province, whose connectors answer its services; the
    national tier runs the national databases' demo connector."""
    with running_federation(
        a_args=("--demo",), b_env={"LGSP_REPLY_TIMEOUT_SECONDS": str(DEADLINE)}, national_demo=True
    ) as found:
        yield found


@dataclass
class Crossing:
    federation: Federation
    granted: str  # B's client with grants at both ends
    ungranted: str  # B's client without an outbound grant
    refused: str  # B's client with an outbound grant but no grant at A
    secrets: dict[str, str]
    projected: str = "h93-chon-loc"  # B's client whose grant at the provider names the reply's fields
    limited: str = "h93-gioi-han"  # B's client whose grant at the provider names a rate

    def call(
        self, client_id: str, body: Any = None, address: str = ADDRESS, scope: str | None = None
    ) -> httpx.Response:
        b = self.federation.b
        form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        token = httpx.post(
            f"{b.url}/oauth/token", data=form, auth=httpx.BasicAuth(client_id, self.secrets[client_id]), timeout=10,
        ).json()["access_token"]  # fmt: skip
        # shorter than the gateways' reply timeout: a call that hangs fails the test instead of waiting
        return httpx.post(
            f"{b.url}/exchange/{address}", json=REQUEST if body is None else body,
            headers={"Authorization": f"Bearer {token}"}, timeout=8,
        )  # fmt: skip


def logged(instance: Instance, exchange_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        with instance.http() as http:
            answer = http.get(f"/api/v1/exchanges/{exchange_id}")
        return answer.json() if answer.status_code == 200 and answer.json()["outcome"] != "pending" else None

    return dict(wait_until(found, timeout=10))


def grant(instance: Instance, client: str, address: str = ADDRESS, **options: Any) -> None:
    with instance.http() as http:
        answer = http.post("/api/v1/federation/grants", json={"client": client, "address": address} | options)
    assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
def crossing(joined: Federation) -> Crossing:
    done = joined.a.lgsp("federation", "publish", ADDRESS)
    assert done.returncode == 0, done.stderr
    secrets = {}
    with joined.b.http() as http:
        for name in ("cong-dan", "khong-duoc-ra", "khong-duoc-vao", "chon-loc", "gioi-han"):
            made = http.post(
                "/api/v1/clients", json={"agency": PROVINCE_B, "name": name, "client_id": f"h93-{name}"}
            )
            assert made.status_code == 201, made.text
            secrets[made.json()["client_id"]] = made.json()["client_secret"]
    found = Crossing(joined, "h93-cong-dan", "h93-khong-duoc-ra", "h93-khong-duoc-vao", secrets)
    grant(joined.b, found.granted)
    grant(joined.b, found.refused)
    grant(joined.a, f"{PROVINCE_B}:{found.granted}")
    with joined.b.http(authenticated=False) as http:
        wait_until(lambda: ADDRESS in [s["address"] for s in http.get("/api/v1/federation/catalogue").json()])
    return found


class TestCallsAcrossInTheNationalReport:
    def test_a_members_report_counts_the_calls_it_took_part_in(self, crossing: Crossing) -> None:
        assert crossing.call(crossing.granted).status_code == 200
        federation = crossing.federation
        for member in (federation.a, federation.b):
            assert member.lgsp("federation", "report").returncode == 0
        with federation.national.http(authenticated=False) as http:
            rows = {m["code"]: m for m in http.get("/api/v1/federation/coverage").json()["members"]}
        assert rows[PROVINCE_B]["federation_calls"] >= 1
        assert rows[PROVINCE_A]["federation_calls"] >= 1


class TestACallAcrossTheFederation:
    def test_answered_by_the_provider_and_logged_on_every_hop_under_one_id(self, crossing: Crossing) -> None:
        answer = crossing.call(crossing.granted)
        assert answer.status_code == 200, answer.text
        assert answer.json()["found"] is True
        exchange_id = answer.headers["X-Exchange-ID"]
        federation = crossing.federation
        hops = {
            role: logged(instance, exchange_id)
            for role, instance in (
                ("origin", federation.b),
                ("transit", federation.national),
                ("provider", federation.a),
            )
        }
        for role, record in hops.items():
            assert record["role"] == role
            assert record["outcome"] == "ok"
            assert record["address"] == ADDRESS
            assert record["sent_at"] is not None
            assert record["completed_at"] is not None
        assert hops["origin"]["client_id"] == crossing.granted
        assert (
            hops["transit"]["client_id"]
            == hops["provider"]["client_id"]
            == f"{PROVINCE_B}:{crossing.granted}"
        )
        assert hops["provider"]["response_sha256"] == hops["origin"]["response_sha256"]
        traced = federation.b.lgsp("log", "trace", exchange_id, "--json")
        assert traced.returncode == 0, traced.stderr
        path = [(hop["member"], hop["role"], hop["outcome"]) for hop in json.loads(traced.stdout)]
        assert path == [
            (PROVINCE_B, "origin", "ok"),
            (NATIONAL, "transit", "ok"),
            (PROVINCE_A, "provider", "ok"),
        ]

    def test_a_request_out_of_contract_is_refused_at_the_origin(self, crossing: Crossing) -> None:
        answer = crossing.call(crossing.granted, {"citizen_id": 12})
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["at"] == PROVINCE_B
        assert logged(crossing.federation.b, answer.json()["exchange_id"])["outcome"] == "client_error"


NATIONAL_ADDRESS = "G01/tra-cuu-cong-dan/v1"  # the national population database's service
NATIONAL_REQUEST = {"citizen_id": "001190012345"}  # its contract's first example


@pytest.fixture(scope="module")
def national_service(crossing: Crossing) -> Crossing:
    """The national tier published its population database's service; B's granted client may call it."""
    federation = crossing.federation
    with federation.national.http() as http:
        published = http.post("/api/v1/federation/publications", json={"address": NATIONAL_ADDRESS})
    assert published.status_code == 200, published.text
    assert published.json()["member"] == NATIONAL
    grant(federation.b, crossing.granted, NATIONAL_ADDRESS)
    grant(federation.national, f"{PROVINCE_B}:{crossing.granted}", NATIONAL_ADDRESS)
    with federation.b.http(authenticated=False) as http:
        wait_until(
            lambda: (
                NATIONAL_ADDRESS in [s["address"] for s in http.get("/api/v1/federation/catalogue").json()]
            )
        )
    return crossing


class TestANationalDatabaseCalledAcross:
    def test_answered_by_the_national_tiers_connector_and_logged_origin_then_provider(
        self, national_service: Crossing
    ) -> None:
        answer = national_service.call(national_service.granted, NATIONAL_REQUEST, NATIONAL_ADDRESS)
        assert answer.status_code == 200, answer.text
        assert answer.json()["ho_ten"] == "Trần Thị Lan"
        exchange_id = answer.headers["X-Exchange-ID"]
        federation = national_service.federation
        origin, provider = logged(federation.b, exchange_id), logged(federation.national, exchange_id)
        assert (origin["role"], origin["outcome"]) == ("origin", "ok")
        assert (provider["role"], provider["outcome"]) == ("provider", "ok")
        assert provider["client_id"] == f"{PROVINCE_B}:{national_service.granted}"
        assert provider["response_sha256"] == origin["response_sha256"]
        traced = federation.b.lgsp("log", "trace", exchange_id, "--json")
        assert traced.returncode == 0, traced.stderr
        path = [(hop["member"], hop["role"], hop["outcome"]) for hop in json.loads(traced.stdout)]
        assert path == [(PROVINCE_B, "origin", "ok"), (NATIONAL, "provider", "ok")]

    def test_without_the_national_tiers_grant_it_is_refused_there(self, national_service: Crossing) -> None:
        federation = national_service.federation
        grant(federation.b, national_service.refused, NATIONAL_ADDRESS)
        answer = national_service.call(national_service.refused, NATIONAL_REQUEST, NATIONAL_ADDRESS)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:no-grant"
        assert answer.json()["at"] == NATIONAL
        record = logged(federation.national, answer.json()["exchange_id"])
        assert (record["role"], record["outcome"]) == ("provider", "rejected")

    def test_a_members_agency_is_not_the_national_tiers_to_publish(self, national_service: Crossing) -> None:
        with national_service.federation.national.http() as http:
            answer = http.post("/api/v1/federation/publications", json={"address": ADDRESS})
        assert answer.status_code == 409
        assert answer.headers["content-type"].startswith(PROBLEM)


class TestAReplyProjectedAcross:
    def test_the_provider_cuts_the_reply_to_its_grants_fields_and_the_hops_pass_it_on(
        self, crossing: Crossing
    ) -> None:
        federation = crossing.federation
        grant(federation.b, crossing.projected)
        fields = ("--field", "/found", "--field", "/ho_ten", "--field", "/cha/nam_sinh")
        done = federation.a.lgsp(
            "federation", "grant", f"{PROVINCE_B}:{crossing.projected}", ADDRESS, *fields
        )
        assert done.returncode == 0, done.stderr
        answer = crossing.call(crossing.projected)
        assert answer.status_code == 200, answer.text
        # the father's name, required by the contract, is left out too: the hops after A accept that
        assert answer.json() == {"found": True, "ho_ten": "Phạm Minh Khôi", "cha": {"nam_sinh": 1990}}
        assert answer.headers["X-LGSP-Projected"] == "1"
        provider = logged(federation.a, answer.headers["X-Exchange-ID"])
        assert provider["response_size"] == len(answer.content)


class TestARateAcross:
    def test_past_the_providers_rate_a_call_is_a_429_problem_at_the_origin(
        self, national_service: Crossing
    ) -> None:
        federation, client = national_service.federation, national_service.limited
        grant(federation.b, client, NATIONAL_ADDRESS)
        grant(federation.national, f"{PROVINCE_B}:{client}", NATIONAL_ADDRESS, calls_per_minute=1)
        first, *then = [national_service.call(client, NATIONAL_REQUEST, NATIONAL_ADDRESS) for _ in range(3)]
        assert first.status_code == 200, first.text
        # the window slides: two calls either side of a minute's edge may both pass, never three
        second = next(answer for answer in then if answer.status_code != 200)
        assert second.status_code == 429
        assert second.headers["content-type"].startswith(PROBLEM)
        assert second.json()["type"] == "urn:lgsp:error:rate-limited"
        assert second.json()["at"] == NATIONAL
        assert "Retry-After" in second.headers
        record = logged(federation.national, second.json()["exchange_id"])
        assert (record["role"], record["http_status"]) == ("provider", 429)


class TestFederationGrantOptionsOutOfContract:
    @pytest.mark.parametrize(
        ("at", "body", "status", "kind"),
        [
            (PROVINCE_B, {"client": "h93-cong-dan", "calls_per_minute": 5}, 422, "invalid-input"),
            (PROVINCE_A, {"client": "H93:ai-do", "fields": ["/khong-co"]}, 422, "unknown-reference"),
            (PROVINCE_A, {"client": "H93:ai-do", "fields": ["khong-phai-con-tro"]}, 422, None),
            (PROVINCE_A, {"client": "H93:ai-do", "calls_per_minute": 0}, 422, None),
            (PROVINCE_A, {"client": "H93:h93-cong-dan", "fields": ["/found"]}, 409, "conflict"),
        ],
        ids=["outbound-rate", "unknown-field", "not-a-pointer", "no-rate", "granted-otherwise"],
    )
    def test_each_is_a_specific_problem(
        self, crossing: Crossing, at: str, body: dict[str, Any], status: int, kind: str | None
    ) -> None:
        instance = crossing.federation.a if at == PROVINCE_A else crossing.federation.b
        with instance.http() as http:
            answer = http.post("/api/v1/federation/grants", json={"address": ADDRESS} | body)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        if kind:
            assert answer.json()["type"] == f"urn:lgsp:error:{kind}"


class TestRefusalsLoggedWhereTheyHappen:
    def test_no_outbound_grant_at_the_origin(self, crossing: Crossing) -> None:
        answer = crossing.call(crossing.ungranted)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:no-grant"
        assert answer.json()["at"] == PROVINCE_B
        record = logged(crossing.federation.b, answer.json()["exchange_id"])
        assert (record["role"], record["outcome"]) == ("origin", "rejected")

    def test_a_token_without_the_addresss_scope_is_refused_at_the_origin(
        self, national_service: Crossing
    ) -> None:
        # the client holds federation grants for both addresses; its token was asked for the national one only
        answer = national_service.call(national_service.granted, scope=NATIONAL_ADDRESS)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:insufficient-scope"
        assert answer.json()["at"] == PROVINCE_B
        assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]
        record = logged(national_service.federation.b, answer.json()["exchange_id"])
        assert (record["role"], record["outcome"]) == ("origin", "rejected")

    def test_no_grant_at_the_provider(self, crossing: Crossing) -> None:
        answer = crossing.call(crossing.refused)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:no-grant"
        assert answer.json()["at"] == PROVINCE_A
        exchange_id = answer.json()["exchange_id"]
        record = logged(crossing.federation.a, exchange_id)
        assert (record["role"], record["outcome"]) == ("provider", "rejected")
        assert logged(crossing.federation.b, exchange_id)["outcome"] == "rejected"

    def test_a_grant_made_or_revoked_at_the_provider_applies_to_the_next_call(
        self, crossing: Crossing
    ) -> None:
        # the grants are held in memory at each member: a change through the API is read again at once
        a = crossing.federation.a
        with a.http() as http:
            made = http.post(
                "/api/v1/federation/grants",
                json={"client": f"{PROVINCE_B}:{crossing.refused}", "address": ADDRESS},
            )
            assert made.status_code == 201, made.text
            try:
                assert crossing.call(crossing.refused).status_code == 200
            finally:
                assert http.post(f"/api/v1/federation/grants/{made.json()['id']}/revoke").status_code == 200
        answer = crossing.call(crossing.refused)
        assert answer.status_code == 403
        assert (answer.json()["type"], answer.json()["at"]) == ("urn:lgsp:error:no-grant", PROVINCE_A)

    def test_a_suspended_member_is_refused_by_the_national_tier(self, crossing: Crossing) -> None:
        national = crossing.federation.national
        assert national.lgsp("federation", "suspend", PROVINCE_B).returncode == 0
        try:
            answer = crossing.call(crossing.granted)
        finally:
            assert national.lgsp("federation", "resume", PROVINCE_B).returncode == 0
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:not-a-member"
        assert answer.json()["at"] == NATIONAL
        record = logged(national, answer.json()["exchange_id"])
        assert (record["role"], record["outcome"]) == ("transit", "rejected")

    @staticmethod
    def relay(federation: Federation, assertion: str, exchange_id: str) -> httpx.Response:
        return httpx.post(
            f"{federation.national.url}/api/v1/federation/exchange/{ADDRESS}", json=REQUEST, timeout=8,
            headers={
                "Authorization": f"Bearer {assertion}", "X-Exchange-ID": exchange_id,
                "X-LGSP-Client": "H77:ke-la", "X-LGSP-Deadline": str(time.time() + 5),
            },
        )  # fmt: skip

    def test_a_platform_not_in_the_directory_is_refused(self, crossing: Crossing) -> None:
        exchange_id = new_exchange_id()
        stranger = make_assertion(generate_message_key(), "H77", crossing.federation.national.url)
        answer = self.relay(crossing.federation, stranger, exchange_id)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:lgsp:error:not-a-member"
        record = logged(crossing.federation.national, exchange_id)
        assert (record["role"], record["outcome"]) == ("transit", "rejected")

    def test_an_expired_client_assertion_is_refused(self, crossing: Crossing) -> None:
        federation = crossing.federation
        exchange_id = new_exchange_id()
        key = load_or_create_key(federation.b.directory / "federation-key.jwk")
        expired = make_assertion(key, PROVINCE_B, federation.national.url, now=time.time() - 600)
        answer = self.relay(federation, expired, exchange_id)
        assert answer.status_code == 401
        assert answer.json()["type"] == "urn:lgsp:error:client-assertion-invalid"
        assert "expired" in answer.json()["detail"]
        record = logged(federation.national, exchange_id)
        assert (record["role"], record["outcome"]) == ("transit", "rejected")


class TestAHopOutOfContract:
    @pytest.mark.parametrize(
        ("change", "status", "kind"),
        [
            ({"X-Exchange-ID": "not-an-id"}, 422, "invalid-input"),
            ({"X-LGSP-Client": "nobody"}, 422, "invalid-input"),
            ({"X-LGSP-Deadline": "soon"}, 422, "invalid-input"),
            ({"Authorization": "Bearer not.a.jwt"}, 401, "client-assertion-invalid"),
            ({"Content-Type": "text/plain"}, 415, "unsupported-media-type"),
        ],
    )
    def test_each_is_a_specific_problem_never_a_500(
        self, crossing: Crossing, change: dict[str, str], status: int, kind: str
    ) -> None:
        federation = crossing.federation
        key = load_or_create_key(federation.b.directory / "federation-key.jwk")
        headers = {
            "Authorization": f"Bearer {make_assertion(key, PROVINCE_B, federation.national.url)}",
            "Content-Type": "application/json",
            "X-Exchange-ID": new_exchange_id(),
            "X-LGSP-Client": f"{PROVINCE_B}:{crossing.granted}",
            "X-LGSP-Deadline": str(time.time() + 5),
        } | change
        answer = httpx.post(
            f"{federation.national.url}/api/v1/federation/exchange/{ADDRESS}",
            content=json.dumps(REQUEST), headers=headers, timeout=8,
        )  # fmt: skip
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["type"] == f"urn:lgsp:error:{kind}"


class TestAnExchangeIdLoggedAlready:
    def test_a_second_hop_with_the_same_id_is_a_409_problem(self, crossing: Crossing) -> None:
        federation = crossing.federation
        key = load_or_create_key(federation.b.directory / "federation-key.jwk")
        exchange_id = new_exchange_id()
        refusals = [
            TestRefusalsLoggedWhereTheyHappen.relay(
                federation, make_assertion(key, PROVINCE_B, federation.national.url, now=time.time() - 600),
                exchange_id,
            )
            for _ in range(2)
        ]  # fmt: skip
        assert [answer.status_code for answer in refusals] == [401, 409]
        assert refusals[1].json()["type"] == "urn:lgsp:error:conflict"
        assert logged(federation.national, exchange_id)["error_type"] == "client-assertion-invalid"


class TestHopsAreReadByThoseWhoTookPart:
    def test_without_a_client_assertion_a_hop_is_a_401_problem(self, crossing: Crossing) -> None:
        answer = crossing.call(crossing.granted)
        with crossing.federation.a.http(authenticated=False) as http:
            refused = http.get(f"/api/v1/federation/hops/{answer.headers['X-Exchange-ID']}")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith(PROBLEM)

    def test_a_local_exchange_is_not_shown_to_another_member(self, crossing: Crossing) -> None:
        federation = crossing.federation
        with federation.a.http() as http:
            local = wait_until(
                lambda: next(
                    (
                        x
                        for x in http.get("/api/v1/exchanges", params={"limit": 50}).json()["items"]
                        if not x["role"]
                    ),
                    None,
                )
            )  # the demo province's own traffic
        key = load_or_create_key(federation.b.directory / "federation-key.jwk")
        with federation.a.http(authenticated=False) as http:
            refused = http.get(
                f"/api/v1/federation/hops/{local['id']}",
                headers={"Authorization": f"Bearer {make_assertion(key, PROVINCE_B, federation.a.url)}"},
            )
        assert refused.status_code == 404


class TestTheLogStaysIntact:
    def test_lgsp_log_verify_on_each_instance(self, crossing: Crossing) -> None:
        assert crossing.call(crossing.granted).status_code == 200
        for instance in crossing.federation.instances:
            done = instance.lgsp("log", "verify")
            assert done.returncode == 0, done.stdout + done.stderr


SignedMessages = dict[str, dict[str, str]]  # path on the national tier: the signed body sent there once


@pytest.fixture(scope="module")
def signed_once(crossing: Crossing) -> SignedMessages:
    """A join request (of a platform H78) and B's coverage report, each signed once and accepted."""
    national = crossing.federation.national
    stranger = generate_message_key("Ed25519")
    claim = {
        "code": "H78", "name": "Tỉnh thử", "base_url": "http://127.0.0.1:9", "keys": public_keys(stranger),
        "iat": int(time.time()), "jti": str(uuid.uuid4()),
    }  # fmt: skip
    b_key = load_or_create_key(crossing.federation.b.directory / "federation-key.jwk")
    sent = {
        "/api/v1/federation/members": {"request": sign(claim, stranger)},
        "/api/v1/federation/reports": {"report": sign(handmade_report(PROVINCE_B, 1), b_key)},
    }
    with national.http(authenticated=False) as http:
        assert [http.post(path, json=body).status_code for path, body in sent.items()] == [202, 201]
    return sent


def replayed(instance: Instance, messages: SignedMessages) -> list[tuple[int, str]]:
    with instance.http(authenticated=False) as http:
        answers = [http.post(path, json=body) for path, body in messages.items()]
    return [(answer.status_code, answer.json()["type"]) for answer in answers]


REPLAYED = (409, "urn:lgsp:error:federation-message-replayed")


class TestSignedMessagesAreAcceptedOnce:
    def test_a_join_request_or_report_sent_again_is_refused_and_logged(
        self, crossing: Crossing, signed_once: SignedMessages
    ) -> None:
        national = crossing.federation.national
        assert replayed(national, signed_once) == [REPLAYED, REPLAYED]
        logged_there = national.process.since_start()
        assert "a join request from H78 was sent again: refused as a replay" in logged_there
        assert f"a coverage report from {PROVINCE_B} was sent again: refused as a replay" in logged_there


@pytest.fixture(scope="module")
def slow(crossing: Crossing) -> Crossing:
    """A service of A published nationally that no connector answers, granted at both ends."""
    publish_test_service(crossing.federation)
    grant(crossing.federation.b, crossing.granted, SLOW_ADDRESS)
    grant(crossing.federation.a, f"{PROVINCE_B}:{crossing.granted}", SLOW_ADDRESS)
    with crossing.federation.b.http(authenticated=False) as http:
        wait_until(
            lambda: SLOW_ADDRESS in [s["address"] for s in http.get("/api/v1/federation/catalogue").json()]
        )
    return crossing


def in_flight(instance: Instance, address: str) -> bool:
    with instance.http() as http:
        items = http.get("/api/v1/exchanges", params={"address": address, "limit": 5}).json()["items"]
    return any(item["outcome"] == "pending" for item in items)


class TestFaults:
    def test_a_provider_that_does_not_reply_is_504_at_the_origin_within_the_deadline(
        self, slow: Crossing
    ) -> None:
        answer = slow.call(slow.granted, {"ma_ho_so": "HS-000001"}, SLOW_ADDRESS)
        assert answer.status_code == 504
        assert answer.headers["content-type"].startswith(PROBLEM)
        exchange_id = answer.json()["exchange_id"]
        assert logged(slow.federation.b, exchange_id)["outcome"] == "timeout"
        assert logged(slow.federation.national, exchange_id)["outcome"] == "timeout"

    def test_the_national_tier_killed_mid_call_is_503_at_the_origin_then_calls_work_again(
        self, slow: Crossing
    ) -> None:
        national = slow.federation.national
        with ThreadPoolExecutor(1) as pool:
            call = pool.submit(slow.call, slow.granted, {"ma_ho_so": "HS-000002"}, SLOW_ADDRESS)
            wait_until(lambda: in_flight(national, SLOW_ADDRESS))
            national.process.kill()
            answer = call.result()
        try:
            # a 504 would mean the origin waited out its deadline instead of seeing the national tier go
            assert answer.status_code == 503
            assert answer.json()["type"] == "urn:lgsp:error:federation-hop-unavailable"
            assert logged(slow.federation.b, answer.json()["exchange_id"])["outcome"] == "unavailable"
            down = slow.call(slow.granted)
            assert down.status_code == 503
        finally:
            national.restart()
        assert wait_until(lambda: slow.call(slow.granted).status_code == 200)

    def test_signed_messages_seen_before_the_national_tier_restarted_are_still_refused(
        self, slow: Crossing, signed_once: SignedMessages
    ) -> None:
        assert replayed(slow.federation.national, signed_once) == [REPLAYED, REPLAYED]

    def test_the_provider_down_is_a_problem_at_the_origin(self, crossing: Crossing) -> None:
        crossing.federation.a.process.kill()
        answer = crossing.call(crossing.granted)
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["at"] == NATIONAL

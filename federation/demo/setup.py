"""What the operators would do by hand once the platforms answer: join, approve, publish nationally, and a
consumer client on each province. Each step is idempotent, so a second start does only what is missing."""

import time
from collections.abc import Mapping

import httpx

from federation.demo.platforms import ADMIN_ID, DEMO_PROVINCE, Platform

# services of the demo province shared beyond it: its sample connectors answer them
PUBLISHED = ("H50.20/tra-cuu-thua-dat/v1", "H50.03/trich-luc-khai-sinh/v1", "H50.05/tra-cuu-doanh-nghiep/v1")
# the national databases' services, answered at the national tier from their contracts' examples
NATIONAL_SERVICES = (
    "G01/tra-cuu-cong-dan/v1",
    "G02/tra-cuu-doanh-nghiep-quoc-gia/v1",
    "G03/qua-trinh-tham-gia-bao-hiem/v1",
)
CROSSING = PUBLISHED[0]  # each other province's consumer may call it across the federation
CROSSING_REQUEST = {"ma_xa": "19333", "so_to": 12, "so_thua": 145}  # the contract's first example
# a national database's service, published by the national tier: Hậu Giang's consumer calls it across
NATIONAL_CROSSING = NATIONAL_SERVICES[0]
NATIONAL_REQUEST = {"citizen_id": "001190012345"}  # the contract's first example
ALREADY = 409
TIMEOUT = 30.0


class SetupFailed(Exception):
    """A step the demo needs was refused; the message names it (never a secret)."""


class Operator:
    """The platform admin of one platform, over its API."""

    def __init__(self, platform: Platform, secret: str) -> None:
        self.platform = platform
        self.http = httpx.Client(base_url=platform.url, timeout=TIMEOUT)
        answer = self.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(ADMIN_ID, secret)
        )
        self._check(answer, "token")
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def close(self) -> None:
        self.http.close()

    def send(
        self, path: str, body: Mapping[str, object], step: str, *, tolerate: int | None = None
    ) -> httpx.Response:
        answer = self.http.post(path, json=body)
        if answer.status_code != tolerate:
            self._check(answer, step)
        return answer

    def _check(self, answer: httpx.Response, step: str) -> None:
        if answer.is_error:
            detail = (
                answer.json().get("detail", "")
                if answer.headers.get("content-type", "").endswith("json")
                else ""
            )
            raise SetupFailed(
                f"{self.platform.code}: {step} refused ({answer.status_code}) {detail}".rstrip()
            )


def join_all(national: Operator, members: list[Operator], wait: float = 60.0) -> None:
    """Every province asks to join and the national operator approves it; returns once each knows it is active."""
    joined = {m["code"]: m["status"] for m in national.http.get("/api/v1/federation/members").json()}
    for member in members:
        code = member.platform.code
        if joined.get(code) in (None, "refused"):
            member.send("/api/v1/federation/join", {"name": member.platform.name}, "join")
        if joined.get(code) != "active":  # a second start finds them members already
            national.send(f"/api/v1/federation/members/{code}/approve", {}, "approve", tolerate=ALREADY)
    deadline = time.monotonic() + wait
    waiting = list(members)
    while waiting:
        waiting = [m for m in waiting if _status(m) != "active"]
        if waiting and time.monotonic() > deadline:
            raise SetupFailed(f"{', '.join(m.platform.code for m in waiting)}: not active in the directory")
        time.sleep(0.2)


def _status(member: Operator) -> object:
    return member.http.get("/api/v1/federation/status").json().get("member_status")


def publish(provider: Operator, addresses: tuple[str, ...] = PUBLISHED) -> list[str]:
    for address in addresses:
        provider.send(
            "/api/v1/federation/publications", {"address": address, "national": True}, f"publish {address}"
        )
    return list(addresses)


def consumer(operator: Operator) -> str:
    """The platform's demo consumer client, with a new secret each start (shown once, by the banner)."""
    platform = operator.platform
    body = {
        "agency": platform.code,
        "name": f"Ứng dụng liên thông ({platform.name})",
        "client_id": platform.consumer,
    }
    made = operator.send("/api/v1/clients", body, "client", tolerate=ALREADY)
    if made.status_code == ALREADY:
        made = operator.send(f"/api/v1/clients/{platform.consumer}/secret", {}, "client secret")
    local = PUBLISHED if platform.seed == DEMO_PROVINCE else NATIONAL_SERVICES if platform.national else ()
    for address in local:
        grant = {"client_id": platform.consumer, "address": address, "purpose": "Demo liên thông"}
        operator.send("/api/v1/grants", grant, f"grant {address}", tolerate=ALREADY)
    return str(made.json()["client_secret"])


def grant_crossing(provider: Operator, origin: Operator, address: str = CROSSING) -> None:
    """The origin lets its consumer call out to `address`; the provider (a member, or the national tier for a
    national database's service) lets that member's consumer call in."""
    client = origin.platform.consumer
    outbound = {"client": client, "address": address}
    origin.send("/api/v1/federation/grants", outbound, f"federation grant {address}")
    inbound = {"client": f"{origin.platform.code}:{client}", "address": address}
    provider.send("/api/v1/federation/grants", inbound, f"federation grant {origin.platform.code}:{client}")


def call_across(
    origin: Operator,
    secret: str,
    address: str = CROSSING,
    request: Mapping[str, object] = CROSSING_REQUEST,
    wait: float = 30.0,
) -> str:
    """One call by the origin's consumer to the provider's service through the national tier; its exchange id.
    The origin knows the service once its verified directory lists it (within a refresh period)."""
    platform = origin.platform
    with httpx.Client(base_url=platform.url, timeout=TIMEOUT) as http:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(platform.consumer, secret)
        )
        origin._check(token, "consumer token")
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        deadline = time.monotonic() + wait
        while True:
            answer = http.post(f"/exchange/{address}", json=request, headers=headers)
            if answer.is_success or time.monotonic() > deadline:
                break
            time.sleep(0.5)  # not yet in this member's directory
        origin._check(answer, f"call to {address}")
        return str(answer.headers.get("X-Exchange-ID", ""))

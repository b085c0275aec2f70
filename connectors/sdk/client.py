"""A client of the gateway's HTTP API with OAuth2 client credentials: used by connectors, testers and the CLI."""

import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx


class ApiProblem(Exception):
    """The gateway answered with an RFC 9457 problem (or another error)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(self.one_line())

    @property
    def type(self) -> str:
        return str(self.problem.get("type", "about:blank"))

    def one_line(self) -> str:
        detail = (
            self.problem.get("detail") or self.problem.get("error_description") or self.problem.get("title")
        )
        name = self.type.removeprefix("urn:lgsp:error:")
        return f"{detail or 'request failed'} ({name}, HTTP {self.status})"


@dataclass(frozen=True, slots=True)
class CallResult:
    status: int
    body: Any
    exchange_id: str | None
    request_id: str | None
    headers: httpx.Headers


def _problem_of(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:200] or response.reason_phrase}
    return ApiProblem(response.status_code, body if isinstance(body, dict) else {"detail": str(body)})


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self._scope = scope
        # plain HTTP needs no CA bundle: loading one costs ~40 ms of every CLI command's start
        verify = not base_url.startswith("http://")
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport, verify=verify
        )
        self._token: str | None = None
        self._token_expires = 0.0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        if not self.client_id or not self._secret:
            raise ApiProblem(401, {"detail": "no client credentials configured (client id and secret)"})
        form = {"grant_type": "client_credentials", **({"scope": self._scope} if self._scope else {})}
        response = await self._http.post("/oauth/token", data=form, auth=(self.client_id, self._secret))
        if response.status_code != 200:
            raise _problem_of(response)
        body = response.json()
        self._token = str(body["access_token"])
        self._token_expires = time.monotonic() + max(float(body.get("expires_in", 60)) - 30, 1)
        return self._token

    async def _headers(self, authenticated: bool, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if authenticated:
            headers["Authorization"] = f"Bearer {await self.token()}"
        return headers

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        authenticated: bool = True,
    ) -> Any:
        """Send a request and return the JSON answer (None for 204); raise `ApiProblem` on an error status."""
        response = await self._http.request(
            method,
            path,
            json=json,
            content=content,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=await self._headers(authenticated, headers),
        )
        if response.status_code >= 400:
            raise _problem_of(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def get(self, path: str, **params: Any) -> Any:
        return await self.send("GET", path, params=params, authenticated=self.client_id is not None)

    async def get_public(self, path: str, **params: Any) -> Any:
        """GET a public resource (the registry's agencies, databases, contracts, catalogue) without a token: the
        answer is the same, and it spares the gateway a secret check (Argon2) and the caller its time."""
        return await self.send("GET", path, params=params, authenticated=False)

    async def call(
        self, address: str, data: Any, *, request_id: str | None = None, respond_async: bool = False
    ) -> CallResult:
        """Call a service through the gateway; error statuses are returned, not raised."""
        headers = {"X-Request-ID": request_id or str(uuid.uuid4())}
        if respond_async:
            headers["Prefer"] = "respond-async"
        response = await self._http.post(
            f"/exchange/{address}", json=data, headers=await self._headers(True, headers)
        )
        return self._result(response)

    async def share(self, address: str, records: list[Any], *, request_id: str | None = None) -> CallResult:
        """Publish a batch of records of a dataset to the shared data warehouse."""
        headers = {"X-Request-ID": request_id or str(uuid.uuid4())}
        response = await self._http.post(
            f"/share/{address}", json={"records": records}, headers=await self._headers(True, headers)
        )
        return self._result(response)

    @staticmethod
    def _result(response: httpx.Response) -> CallResult:
        try:
            body: Any = response.json() if response.content else None
        except ValueError:
            body = response.text
        return CallResult(
            status=response.status_code,
            body=body,
            exchange_id=response.headers.get("x-exchange-id"),
            request_id=response.headers.get("x-request-id"),
            headers=response.headers,
        )

"""Where recorded requests are sent again: a gateway (as the tester's own client), or connectors directly.

A connector target runs the connectors in this process on an in-process bus, with a signing key made for the
run and handed to them as their key set; they verify every request's signature as always. It never joins a
Kafka broker: there it would join the live consumer group of the service, take real requests it cannot verify
and answer them with errors; a deployed connector is replayed through its gateway instead.
"""

import uuid
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

import httpx
import orjson
from joserfc.jwk import ECKey, KeySet

from bus import BusTimeout, BusUnavailable, InProcessBus
from connectors.sdk import ApiProblem, Connector, ConnectorRunner, GatewayClient
from contracts.addresses import Address
from contracts.document import ContractDocument, Kind
from contracts.envelope import EXCHANGE_REQUEST, STATUS_OK, Envelope, utc_now
from contracts.errors import LgspError
from contracts.signing import sign_envelope
from contracts.validation import CompiledContract
from gateway.exchange.errors import ProviderError, ReplyInvalid, RequestInvalid
from gateway.exchange.flow import trace_context
from gateway.replay.recording import Answer

REFUSED = (401, 403, 429)  # the tester's own client was refused: nothing the target's behaviour says


class CannotReplay(LgspError):
    """The replay cannot start: a target that cannot be reached, credentials refused, connectors that cannot run."""

    name, status, title = "cannot-replay", 422, "Cannot replay"


class SendFailed(Exception):
    """One exchange could not be replayed (no answer to compare)."""


class Target(Protocol):
    description: str

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def refusal(self, address: str) -> str | None:
        """Why exchanges of `address` cannot be replayed on this target (they are skipped), or None."""

    async def send(self, address: str, request: Any, *, consumer: str | None, reference: str) -> Answer:
        """The answer to `request`; raises `SendFailed` when there is none to compare."""


def _error_type(body: Any) -> str | None:
    kind = body.get("type") if isinstance(body, dict) else None
    return kind.removeprefix("urn:lgsp:error:") if isinstance(kind, str) else None


class GatewayTarget:
    """`POST /exchange/...` on a gateway with the tester's own client credentials."""

    def __init__(
        self,
        url: str,
        client_id: str | None,
        client_secret: str | None,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.description = f"gateway {url}"
        self.url = url
        self.client = GatewayClient(url, client_id, client_secret, timeout=timeout, transport=transport)

    async def __aenter__(self) -> Self:
        try:
            await self.client.token()
        except ApiProblem as exc:
            await self.client.aclose()
            raise CannotReplay(
                f"the target gateway {self.url} refused the credentials: {exc.one_line()}"
            ) from None
        except httpx.HTTPError as exc:
            await self.client.aclose()
            raise CannotReplay(f"cannot reach the target gateway {self.url}: {exc!r}") from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    def refusal(self, address: str) -> str | None:
        return None

    async def send(self, address: str, request: Any, *, consumer: str | None, reference: str) -> Answer:
        try:
            result = await self.client.call(address, request, request_id=f"replay-{reference}")
        except (httpx.HTTPError, ApiProblem) as exc:
            raise SendFailed(f"cannot reach {self.url}: {exc!r}") from None
        error_type = _error_type(result.body) if result.status >= 400 else None
        if result.status in REFUSED:
            raise SendFailed(f"the target refused the tester's client: {error_type} (HTTP {result.status})")
        return Answer(status=result.status, body=result.body, error_type=error_type)


class ConnectorTarget:
    """Connectors on an in-process bus, sent requests signed as the gateway signs them, answers mapped as the
    gateway maps them (an error reply is a 502 provider-error, no reply in time a 504)."""

    def __init__(
        self,
        connectors: Connector | Iterable[Connector],
        *,
        documents: Sequence[ContractDocument] = (),
        timeout: float = 10.0,
        concurrency: int = 16,
    ) -> None:
        """`documents`: contracts for the services the connectors bundle none for."""
        given = [connectors] if isinstance(connectors, Connector) else list(connectors)
        self.description = "connector " + ", ".join(repr(c) for c in given)
        self.timeout = timeout
        self.bus = InProcessBus(f"replay-{uuid.uuid4().hex[:8]}")
        self.kid = f"lgsp-replay-{uuid.uuid4().hex[:8]}"
        self.key = ECKey.generate_key("P-256", parameters={"kid": self.kid, "alg": "ES256"}, private=True)
        key_set = KeySet.import_key_set({"keys": [self.key.as_dict(private=False)]})
        self.uncontracted: set[str] = set()
        served = [self._services_only(connector, documents) for connector in given]
        try:
            self.runner = ConnectorRunner(
                [c for c in served if c.services], self.bus, keys=key_set, concurrency=concurrency
            )
        except ValueError as exc:  # two connectors answering one service
            raise CannotReplay(str(exc)) from None
        self.contracts: dict[str, CompiledContract] = {}

    def _services_only(self, connector: Connector, documents: Sequence[ContractDocument]) -> Connector:
        """The connector's services that have a contract (its own, else one given), and nothing else: no
        datasets are shared during a replay."""
        served = Connector(
            connector.agency, connector.database, validate_requests=connector.validate_requests
        )
        for address, registration in connector.services.items():
            given = [d for d in documents if d.kind is Kind.SERVICE and d.address == address]
            document = connector.document(Kind.SERVICE, address) or (given[-1] if given else None)
            if document is None:
                self.uncontracted.add(str(address))
                continue
            served.add_document(document)
            served.services[address] = registration
        return served

    async def __aenter__(self) -> Self:
        await self.bus.start()
        try:
            await self.runner.start()
            for connector in self.runner.connectors:
                for address in connector.services:
                    self.contracts[str(address)] = connector.contract(address)
        except LgspError as exc:
            await self.runner.stop()
            await self.bus.stop()
            raise CannotReplay(f"the connectors cannot start: {exc.detail}") from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.stop()
        await self.bus.stop()

    def refusal(self, address: str) -> str | None:
        if address in self.uncontracted:
            return f"the connector serves {address} but has no contract for it (bundle one, or replay from a gateway)"
        return None if address in self.contracts else f"no connector given serves {address}"

    async def send(self, address: str, request: Any, *, consumer: str | None, reference: str) -> Answer:
        contract = self.contracts[address]
        if violations := contract.validate_request(request):
            # the gateway refuses such a request before the bus, and so does this target
            refused = RequestInvalid(
                f"the request does not match {address} {contract.document.version}",
                errors=[v.as_error() for v in violations],
            )
            return Answer(status=refused.status, body=refused.problem(), error_type=refused.name)
        envelope = Envelope(
            id=str(uuid.uuid4()),  # a new exchange id each time: every replay is answered on its own
            source="urn:lgsp:replay",
            type=EXCHANGE_REQUEST,
            subject=address,
            data=orjson.dumps(request),
            time=utc_now(),
            replyto=self.bus.reply_topic,
            consumer=consumer,
            traceparent=trace_context(None)[1],
        )
        topic = Address.parse(address).service_topic
        try:
            reply = await self.bus.request(
                topic, sign_envelope(envelope, self.key, self.kid), timeout=self.timeout
            )
        except BusTimeout as exc:
            return Answer(status=exc.status, body=exc.problem(), error_type=exc.name)
        except BusUnavailable as exc:
            raise SendFailed(exc.detail) from None
        return _answer(address, reply)


def _answer(address: str, reply: Envelope) -> Answer:
    try:
        data = orjson.loads(reply.data)
    except orjson.JSONDecodeError:
        invalid = ReplyInvalid(f"the provider of {address} answered with something other than JSON")
        return Answer(status=invalid.status, body=invalid.problem(), error_type=invalid.name)
    if reply.status == STATUS_OK:
        return Answer(status=200, body=data)
    problem = data if isinstance(data, dict) else {"detail": str(data)}
    kept = {key: problem[key] for key in ("type", "title", "status", "detail") if key in problem}
    failed = ProviderError(
        f"the provider of {address} failed: {kept.get('detail', 'no detail')}", provider_problem=kept
    )
    return Answer(status=failed.status, body=failed.problem(), error_type=failed.name)

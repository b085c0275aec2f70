"""One service's answer to each request from the bus (DESIGN.md §5 flow 2, the connector's part).

Verify the gateway's signature, refuse a stale or repeated request, parse, check the request against the
contract, call the handler, check its answer against the response schema, reply. Whatever fails becomes an error
reply carrying a problem; nothing against the contract is ever sent as data, and a handler's traceback stays in
this process's log. With a `signer`, every reply is signed by the provider's client (the gateway on Kafka
believes no other).
"""

import collections
import logging
import sqlite3
import time
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

import orjson
from prometheus_client import Counter

from bus import Bus, BusUnavailable, Unconsumed
from connectors.sdk.context import RequestContext
from connectors.sdk.handlers import ServiceHandler, to_json
from connectors.sdk.keys import GatewayKeys
from connectors.sdk.problems import (
    ProviderFailed,
    ProviderProblem,
    ReplyInvalid,
    RequestInvalid,
    problem_bytes,
)
from contracts.addresses import Address
from contracts.envelope import (
    EXCHANGE_REQUEST,
    STATUS_ERROR,
    STATUS_OK,
    Envelope,
    deadline_passed,
    make_reply,
)
from contracts.errors import LgspError
from contracts.signing import MessageSigner
from contracts.validation import CompiledContract, Violation

log = logging.getLogger("lgsp.connector")
REPLY_TOPIC_PREFIX = "lgsp.reply."
EXPIRED = Counter(
    "lgsp_connector_requests_expired",
    "Requests dropped without running their handler: the caller's deadline had passed (late or redelivered)",
    ["service"],
)


FRESHNESS = 300.0  # seconds either side of now a request's signed `time` may be


class RecentIds:
    """Exchange ids being answered or answered lately, so a redelivered or replayed request runs its handler once.

    Bounded in memory; with `path`, also kept in a small SQLite file, so a request replayed after the connector
    restarted is refused too. Ids need keeping only as long as the freshness window: an older request is refused
    for its age, so older ids are pruned. (The standard library's sqlite3: the connector SDK depends on no
    platform storage, and one indexed insert per request is microseconds.)
    """

    PRUNE_EVERY = 10_000  # claims between deletions of ids older than twice the window

    def __init__(
        self, capacity: int = 50_000, *, path: Path | None = None, window: float = FRESHNESS
    ) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity
        self._window = window
        self._db: sqlite3.Connection | None = None
        self._claims = 0
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, seen_at REAL NOT NULL)")
            self._prune()
            for (exchange_id,) in self._db.execute("SELECT id FROM seen ORDER BY seen_at"):
                self._remember(exchange_id)

    def _remember(self, exchange_id: str) -> None:
        self._ids[exchange_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)

    def claim(self, exchange_id: str) -> bool:
        """True the first time an id is seen (the caller answers it); False for a duplicate."""
        if exchange_id in self._ids:
            return False
        self._remember(exchange_id)
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO seen VALUES (?, ?)", (exchange_id, time.time()))
            self._claims += 1
            if self._claims % self.PRUNE_EVERY == 0:
                self._prune()
        return True

    def _prune(self) -> None:
        assert self._db is not None
        self._db.execute("DELETE FROM seen WHERE seen_at < ?", (time.time() - 2 * self._window,))

    def release(self, exchange_id: str) -> None:
        """Forget an id whose reply could not be sent, so a redelivery is answered."""
        self._ids.pop(exchange_id, None)
        if self._db is not None:
            self._db.execute("DELETE FROM seen WHERE id = ?", (exchange_id,))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _age(request: Envelope) -> float | None:
    """Seconds since the request's signed `time` (negative if ahead); None when it has none or it is unreadable."""
    try:
        sent = datetime.fromisoformat(request.time or "")
    except ValueError:
        return None
    if sent.tzinfo is None:
        return None
    return (datetime.now(UTC) - sent).total_seconds()


class RequestExpired(LgspError):
    """The caller's deadline has passed: the gateway has answered 504 already, running it now is a side effect."""

    name, status, title = "request-expired", 504, "The caller's deadline has passed"


class RequestStale(LgspError):
    """The request's signed time is outside the freshness window: a replay, or a badly wrong clock."""

    name, status, title = "request-stale", 401, "The request is outside the freshness window"


class RequestRepeated(LgspError):
    """The exchange id was answered or is being answered already: a redelivery or a replay."""

    name, status, title = "request-repeated", 409, "The request was seen before"


class Admission:
    """Whether a connector believes a request: the gateway's signature, the caller's deadline, the freshness
    window, an id not seen before. One for every connector: the SDK's (`ServiceAnswerer`) and the built-in HTTP
    connector (connectors/http/backend.py)."""

    def __init__(
        self, keys: GatewayKeys, *, recent: RecentIds | None = None, freshness: float = FRESHNESS
    ) -> None:
        self.keys = keys
        self.recent = recent or RecentIds()
        self.freshness = freshness
        self.refused: collections.Counter[str] = collections.Counter()
        """Requests from the bus dropped unanswered, by reason: `stale` (outside the freshness window),
        `duplicate`."""

    async def admit(self, request: Envelope) -> None:
        """Raise `SignatureInvalid` (or `KeysUnavailable`), `RequestExpired`, `RequestStale` or `RequestRepeated`
        unless the request is the gateway's, in time, and new. An admitted request's id is claimed: release it
        (`recent.release`) if its answer cannot be delivered."""
        await self.keys.verify(request)
        if deadline_passed(request):
            raise RequestExpired(f"request {request.id}: its deadline {request.deadline} has passed")
        age = _age(request)
        if age is None or abs(age) > self.freshness:
            raise RequestStale(
                f"request {request.id}: sent at {request.time!r}, outside the {self.freshness:g}s freshness "
                "window (a replay?)"
            )
        if not self.recent.claim(request.id):
            raise RequestRepeated(f"request {request.id} was seen before (redelivered or replayed)")

    async def admit_from_bus(self, request: Envelope, where: object) -> bool:
        """`admit` a request taken from the bus for service `where`: False for one dropped unanswered (expired,
        stale or repeated: logged and counted); raises the problem a forged or unsigned request is answered
        with (`SignatureInvalid`, or `KeysUnavailable`), logged; True when admitted."""
        try:
            await self.admit(request)
        except RequestExpired:
            EXPIRED.labels(str(where)).inc()
            log.warning(
                "%s: dropped request %s unrun: its deadline %s passed", where, request.id, request.deadline
            )
            return False
        except RequestStale as stale:
            self.refused["stale"] += 1
            log.warning("%s: refused %s", where, stale.detail)
            return False
        except RequestRepeated:
            self.refused["duplicate"] += 1
            log.warning(
                "%s: request %s seen before (redelivered or replayed); answered once", where, request.id
            )
            return False
        except LgspError as refused:  # a forged or unsigned request, or no keys to check it with
            log.warning("%s: refused request %s: %s", where, request.id, refused.detail)
            raise
        return True


class ServiceAnswerer:
    """One service's part whatever carries the request (the bus, or HTTP: connectors/sdk/http_app.py): admit a
    request (signature, deadline, freshness, replay), then answer it with the handler's checked answer or a
    problem."""

    def __init__(
        self,
        *,
        address: Address,
        contract: CompiledContract,
        handler: ServiceHandler,
        keys: GatewayKeys,
        source: str,
        validate_requests: bool = True,
        recent: RecentIds | None = None,
        freshness: float = FRESHNESS,
    ) -> None:
        self.address = address
        self.contract = contract
        self.handler = handler
        self.admission = Admission(keys, recent=recent, freshness=freshness)
        self.keys, self.recent = keys, self.admission.recent
        self.source = source
        self.validate_requests = validate_requests
        self._subject = str(address)

    async def admit(self, request: Envelope) -> None:
        """`Admission.admit`: raise unless the request is the gateway's, in time, and new."""
        await self.admission.admit(request)

    async def answer(self, request: Envelope) -> Envelope:
        """The reply to a verified request: the handler's answer, or a problem."""
        try:
            if request.subject != self._subject:
                raise RequestInvalid(
                    f"the request is for {request.subject}; this handler answers {self._subject}"
                )
            payload = self._payload(request)
            answer = await self.handler(self.handler.parse(payload), RequestContext.of(request, self.address))
            data = self._checked(request, answer)
        except (LgspError, ProviderProblem) as problem:
            return self._error(request, problem)
        except Exception as exc:
            log.exception("%s: handler %s failed on request %s", self.address, self.handler.name, request.id)
            failed = ProviderFailed(f"the handler of {self.address} failed: {type(exc).__name__}")
            return self._error(request, failed)
        return make_reply(request, source=self.source, data=data, status=STATUS_OK)

    def _payload(self, request: Envelope) -> object:
        try:
            payload = orjson.loads(request.data)
        except orjson.JSONDecodeError as exc:
            raise RequestInvalid(f"the request is not JSON: {exc}") from None
        if self.validate_requests and (violations := self.contract.validate_request(payload)):
            raise RequestInvalid(
                f"the request does not match {self.address}: {_summary(violations)}",
                errors=[v.as_error() for v in violations],
            )
        return payload

    def _checked(self, request: Envelope, answer: object) -> bytes:
        """The answer as JSON, checked against the response schema exactly as it will be sent."""
        try:
            data = to_json(answer)
        except TypeError as exc:
            raise ReplyInvalid(f"the answer of {self.handler.name} is not JSON: {exc}") from None
        violations = self.contract.validate_response(orjson.loads(data))
        if violations:
            log.error(
                "%s: handler %s answered request %s against the contract: %s",
                self.address, self.handler.name, request.id, _summary(violations),
            )  # fmt: skip
            # this reaches the consumer and the logs: where and which rule, never what (messages quote values)
            raise ReplyInvalid(
                f"the answer of {self.address} does not match its contract {self.contract.document.version} "
                f"at {', '.join(sorted({v.pointer or '/' for v in violations}))}",
                errors=[{"pointer": v.pointer, "keyword": v.keyword} for v in violations],
            )
        return data

    def _error(self, request: Envelope, problem: LgspError | ProviderProblem) -> Envelope:
        return make_reply(
            request, source=self.source, data=problem_bytes(problem, request.id), status=STATUS_ERROR
        )


class ServiceResponder(ServiceAnswerer):
    """The bus handler of one service address."""

    def __init__(
        self,
        *,
        address: Address,
        contract: CompiledContract,
        handler: ServiceHandler,
        keys: GatewayKeys,
        bus: Bus,
        source: str,
        validate_requests: bool = True,
        recent: RecentIds | None = None,
        freshness: float = FRESHNESS,
        signer: MessageSigner | None = None,
    ) -> None:
        super().__init__(
            address=address, contract=contract, handler=handler, keys=keys, source=source,
            validate_requests=validate_requests, recent=recent, freshness=freshness,
        )  # fmt: skip
        self.bus = bus
        self.signer = signer
        self.refused = self.admission.refused
        """Requests not answered, by reason: `stale` (outside the freshness window), `duplicate`."""

    async def __call__(self, request: Envelope) -> None:
        if request.type != EXCHANGE_REQUEST:
            log.warning("%s: ignored message %s of type %s", self.address, request.id, request.type)
            return
        try:
            if not await self.admission.admit_from_bus(request, self.address):
                return
        except LgspError as refused:
            await self._send(request, self._error(request, refused))
            return
        try:
            sent = await self._send(request, await self.answer(request))
        except BusUnavailable as exc:  # the reply did not go out: the request is to be answered again
            self.recent.release(request.id)
            raise Unconsumed(f"no reply to {request.id} sent: {exc.detail}") from None
        if not sent:
            self.recent.release(request.id)

    async def _send(self, request: Envelope, reply: Envelope) -> bool:
        # `replyto` of a forged request is not to be trusted: answer only on a gateway's reply topic
        if not (request.replyto or "").startswith(REPLY_TOPIC_PREFIX):
            log.warning("%s: request %s names no reply topic; not answered", self.address, request.id)
            return False
        if self.signer is not None:  # the gateway believes a reply only when the provider's client signed it
            reply = self.signer.sign(reply)
        await self.bus.reply(request, reply)
        return True


def _summary(violations: list[Violation]) -> str:
    shown = "; ".join(f"{v.pointer or '/'} ({v.keyword})" for v in violations[:3])
    return shown + (f" (and {len(violations) - 3} more)" if len(violations) > 3 else "")

"""Replaying recorded traffic on connectors over the in-process bus: what changed, and only that, is reported."""

from collections.abc import Callable

from contracts.loading import load_contract
from gateway.replay import (
    ConnectorTarget,
    NoiseRules,
    ReplayOptions,
    ReplayReport,
    Selection,
    Verdict,
    replay,
)
from gateway.settings import Settings
from tests.harness import FIXTURES
from tests.replay import connectors
from tests.replay.conftest import BY_CITIZEN_ADDRESS, CALLS, P1, recording


def verdicts(report: ReplayReport) -> dict[str, Verdict]:
    return {result.exchange.id: result.verdict for result in report.results}


class TestUnchangedConnector:
    async def test_every_recorded_exchange_is_the_same(self, sqlite_settings: Callable[[], Settings]) -> None:
        async with recording(sqlite_settings(), connectors.original) as recorded:
            report = await recorded.replay_on(ConnectorTarget(connectors.original))

        assert set(verdicts(report)) == set(recorded.ids)
        assert set(verdicts(report).values()) == {Verdict.SAME}
        assert report.passed


class TestChangedConnector:
    async def test_exactly_the_changed_exchanges_are_reported_with_diffs(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        async with recording(sqlite_settings(), connectors.original) as recorded:
            report = await recorded.replay_on(ConnectorTarget(connectors.changed))

        changed = {recorded.ids[1], recorded.ids[4]}  # the two calls for the parcel the connector alters
        assert {i for i, v in verdicts(report).items() if v is Verdict.DIFFERENT} == changed
        assert {i for i, v in verdicts(report).items() if v is Verdict.SAME} == set(recorded.ids) - changed
        assert not report.passed
        different = next(r for r in report.results if r.exchange.id == recorded.ids[1])
        assert {(d.pointer, d.expected, d.actual) for d in different.differences} == {
            ("/area_m2", 1520, 1600),
            ("/land_use", "CLN", "BHK"),
        }
        diff = different.diff()
        assert '-  "area_m2": 1520,' in diff
        assert '+  "area_m2": 1600,' in diff
        assert '-  "land_use": "CLN",' in diff
        assert "citizen_id" in diff  # context lines: the whole body, masked fields as recorded


class TestFailedExchanges:
    async def test_a_recorded_provider_error_compares_status_and_problem_type(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        async with recording(sqlite_settings(), connectors.original) as recorded:
            report = await recorded.replay_on(ConnectorTarget(connectors.original))

        failed = next(r for r in report.results if r.exchange.id == recorded.ids[5])
        assert failed.exchange.outcome == "provider_error"
        assert failed.exchange.response is None  # an error's body is not captured
        assert (failed.exchange.status, failed.answer and failed.answer.status) == (502, 502)
        assert failed.verdict is Verdict.SAME


class TestMaskedResponseFields:
    async def test_are_never_compared_and_are_counted(self, sqlite_settings: Callable[[], Settings]) -> None:
        async with recording(sqlite_settings(), connectors.original) as recorded:
            report = await recorded.replay_on(ConnectorTarget(connectors.original))

        first = report.results[0]
        assert first.exchange.response["owner"] == {"full_name": "***", "citizen_id": "***"}
        assert first.answer is not None
        assert first.answer.body["owner"]["citizen_id"] == "045089001234"
        assert first.verdict is Verdict.SAME
        assert first.comparison.masked == 2
        assert report.masked == 2 * 5  # two per answered exchange


class TestNoiseRules:
    async def test_a_connector_changing_only_times_and_ids_passes_with_normalisation(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        async with recording(sqlite_settings(), connectors.noisy) as recorded:
            exchanges = await recorded.exchanges()
            async with ConnectorTarget(connectors.noisy) as target:
                from gateway.replay import replay

                strict = await replay(exchanges, target)
                rules = NoiseRules(timestamps=True, ids=True).compile()
                normalised = await replay(exchanges, target, ReplayOptions(rules))

        assert strict.count(Verdict.DIFFERENT) == 5
        pointers = {d.pointer for r in strict.results for d in r.differences}
        assert pointers == {"/checked_at", "/lookup_id"}
        assert normalised.count(Verdict.DIFFERENT) == 0
        assert normalised.count(Verdict.SAME) == 6

    async def test_normalisation_does_not_hide_a_real_change(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        async with recording(sqlite_settings(), connectors.original) as recorded:
            rules = NoiseRules(timestamps=True, ids=True, ignore=["/checked_at"]).compile()
            report = await recorded.replay_on(ConnectorTarget(connectors.changed), ReplayOptions(rules))

        assert report.count(Verdict.DIFFERENT) == 2


class TestRepeatedRequests:
    async def test_each_identical_request_is_replayed_and_judged_on_its_own(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        async with recording(sqlite_settings(), connectors.original, [P1] * 4) as recorded:
            report = await recorded.replay_on(
                ConnectorTarget(connectors.alternating), ReplayOptions(NoiseRules().compile(), concurrency=1)
            )

        assert len(report.results) == 4
        assert report.count(Verdict.SAME) == 2
        assert report.count(Verdict.DIFFERENT) == 2


class TestMaskedRequests:
    async def test_are_skipped_with_a_reason_unless_included(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        calls = [(BY_CITIZEN_ADDRESS, {"citizen_id": "045089001234"}), P1]
        async with recording(sqlite_settings(), connectors.original, calls) as recorded:
            exchanges = await recorded.exchanges()
            assert exchanges[0].request == {"citizen_id": "***"}
            async with ConnectorTarget(connectors.original) as target:
                default = await replay(exchanges, target)
                included = await replay(
                    exchanges, target, ReplayOptions(NoiseRules().compile(), include_masked=True)
                )

        skipped = default.results[0]
        assert skipped.verdict is Verdict.SKIPPED
        assert skipped.reason is not None
        assert "request carries masked values (/citizen_id)" in skipped.reason
        assert default.results[1].verdict is Verdict.SAME
        # sent as recorded, "***" is no citizen id: refused as the gateway refuses it
        sent = included.results[0]
        assert sent.verdict is Verdict.DIFFERENT
        assert sent.status_pair == "200 → 422"


class TestNewerContract:
    async def test_recorded_requests_and_answers_are_checked_against_it(
        self, sqlite_settings: Callable[[], Settings]
    ) -> None:
        newer = load_contract((FIXTURES / "tra-cuu-thua-dat-1.2-breaking.yaml").read_bytes())
        async with recording(sqlite_settings(), connectors.original) as recorded:
            report = await recorded.replay_on(
                ConnectorTarget(connectors.original), ReplayOptions(NoiseRules().compile(), contract=newer)
            )

        first = report.results[0]
        assert first.verdict is Verdict.DIFFERENT
        kinds = {(d.kind, d.pointer) for d in first.differences}
        assert ("request-contract", "") in kinds  # `purpose` is required in 1.2.0
        assert ("response-contract", "/area_m2") in kinds  # a string in 1.2.0
        assert "does not match contract 1.2.0" in first.first_difference
        assert report.count(Verdict.DIFFERENT) == len(CALLS)  # the failed one: its request is checked too


class TestSelection:
    async def test_by_address_outcome_ids_and_version(self, new_settings: Callable[[], Settings]) -> None:
        async with recording(new_settings(), connectors.original) as recorded:
            by_outcome = await recorded.exchanges(Selection(outcome="provider_error"))
            by_ids = await recorded.exchanges(Selection(ids=(recorded.ids[2], recorded.ids[0])))
            by_version = await recorded.exchanges(Selection(version="1.0"))
            other_version = await recorded.exchanges(Selection(version="1.1"))
            latest = await recorded.exchanges(Selection(limit=2))
            elsewhere = await recorded.exchanges(Selection(address=BY_CITIZEN_ADDRESS))

        assert [e.id for e in by_outcome] == [recorded.ids[5]]
        assert [e.id for e in by_ids] == [recorded.ids[0], recorded.ids[2]]  # in the order they happened
        assert [e.id for e in by_version] == recorded.ids
        assert other_version == []
        assert [e.id for e in latest] == recorded.ids[4:]
        assert elsewhere == []

    async def test_by_time_range(self, new_settings: Callable[[], Settings]) -> None:
        async with recording(new_settings(), connectors.original) as recorded:
            everything = await recorded.exchanges()
            middle = everything[2].received_at
            after = await recorded.exchanges(Selection(since=middle))
            before = await recorded.exchanges(Selection(until=middle))

        assert [e.id for e in after] == recorded.ids[2:]
        assert [e.id for e in before] == recorded.ids[:2]

"""The comparison engine and its noise rules, on bodies as a connector would answer them."""

from pathlib import Path
from typing import Any

import pytest

from gateway.replay import Answer, NoiseRules, RulesInvalid, compare, rules_from

ITEMS = {
    "items": [
        {"id": "a", "qty": 1, "updated_at": "2026-11-20T08:30:00+07:00"},
        {"id": "b", "qty": 2, "updated_at": "2026-11-20T08:31:00+07:00"},
    ],
    "total": 3.0,
}


def differences(expected: Any, actual: Any, **rules: Any) -> list[tuple[str, str]]:
    comparison = compare(
        Answer(status=200, body=expected), Answer(status=200, body=actual), NoiseRules(**rules).compile()
    )
    return [(d.kind, d.pointer) for d in comparison.differences]


def with_items(*items: dict[str, Any], total: float = 3.0) -> dict[str, Any]:
    return {"items": list(items), "total": total}


A, B = ITEMS["items"]


class TestStrictComparison:
    def test_equal_bodies_are_the_same(self) -> None:
        assert differences(ITEMS, with_items(dict(A), dict(B))) == []

    def test_each_changed_added_and_removed_field_is_reported_where_it_is(self) -> None:
        actual = with_items({**A, "qty": 5}, {"id": "b", "qty": 2, "note": "x"})
        assert differences(ITEMS, actual) == [
            ("changed", "/items/0/qty"),
            ("added", "/items/1/note"),
            ("removed", "/items/1/updated_at"),
        ]

    def test_a_boolean_is_not_a_number(self) -> None:
        assert differences({"ok": True}, {"ok": 1}) == [("changed", "/ok")]

    def test_integer_and_float_of_one_value_are_equal(self) -> None:
        assert differences({"n": 1520}, {"n": 1520.0}) == []

    def test_status_and_problem_type_are_compared(self) -> None:
        rules = NoiseRules().compile()
        status = compare(Answer(status=200, body={}), Answer(status=502, body={}), rules)
        problem = compare(
            Answer(status=502, error_type="provider-error"),
            Answer(status=502, error_type="reply-invalid"),
            rules,
        )
        assert [d.describe() for d in status.differences] == ["status 200 → 502"]
        assert [d.describe() for d in problem.differences] == ["problem type provider-error → reply-invalid"]


class TestIgnoreRules:
    def test_a_pattern_ignores_a_field_in_every_item(self) -> None:
        actual = with_items({**A, "updated_at": "x"}, {**B, "updated_at": "y"})
        assert differences(ITEMS, actual, ignore=["/items/*/updated_at"]) == []

    def test_a_deep_pattern_ignores_a_field_at_any_depth(self) -> None:
        actual = with_items({**A, "updated_at": "x"}, {**B, "updated_at": "y"})
        assert differences(ITEMS, actual, ignore=["/**/updated_at"]) == []

    def test_ignoring_one_field_still_compares_the_others(self) -> None:
        actual = with_items({**A, "qty": 9, "updated_at": "x"}, dict(B))
        assert differences(ITEMS, actual, ignore=["/items/*/updated_at"]) == [("changed", "/items/0/qty")]

    def test_a_pattern_that_is_no_pointer_is_refused(self) -> None:
        with pytest.raises(RulesInvalid, match="not a JSON Pointer"):
            NoiseRules(ignore=["items/*"]).compile()


class TestUnorderedArrays:
    def test_reordered_items_are_the_same_when_asked(self) -> None:
        actual = with_items(dict(B), dict(A))
        assert differences(ITEMS, actual) != []
        assert differences(ITEMS, actual, unordered=True) == []
        assert differences(ITEMS, actual, unordered=["/items"]) == []

    def test_a_changed_item_is_still_reported(self) -> None:
        actual = with_items(dict(B), {**A, "qty": 7})
        assert differences(ITEMS, actual, unordered=["/items"]) == [("changed", "/items/0/qty")]

    def test_a_missing_item_is_reported(self) -> None:
        assert differences(ITEMS, with_items(dict(B)), unordered=True) == [("removed", "/items/0")]


class TestNormalisation:
    def test_numbers_within_the_tolerance_are_equal(self) -> None:
        assert differences(ITEMS, {**ITEMS, "total": 3.004}, tolerance=0.01) == []
        assert differences(ITEMS, {**ITEMS, "total": 3.2}, tolerance=0.01) == [("changed", "/total")]

    def test_timestamps_and_uuids_are_equal_to_any_other(self) -> None:
        recorded = {"at": "2026-11-20T08:30:00+07:00", "id": "0b5c4f9e-8a3a-4c1e-9d1a-7f0a2b3c4d5e"}
        replayed = {"at": "2027-01-02T03:04:05.123Z", "id": "a3f1c2d4-1111-4222-8333-944455556666"}
        assert differences(recorded, replayed) == [("changed", "/at"), ("changed", "/id")]
        assert differences(recorded, replayed, timestamps=True, ids=True) == []

    def test_a_timestamp_is_not_equal_to_other_text(self) -> None:
        assert differences({"at": "2026-11-20T08:30:00Z"}, {"at": "hôm nay"}, timestamps=True) == [
            ("changed", "/at")
        ]

    def test_dates_are_data_not_noise(self) -> None:
        assert differences({"on": "2019-06-14"}, {"on": "2019-06-15"}, timestamps=True) == [
            ("changed", "/on")
        ]

    def test_own_id_patterns(self) -> None:
        assert (
            differences({"ref": "HS-00000001"}, {"ref": "HS-00000002"}, id_patterns=["^HS-[0-9]{8}$"]) == []
        )


class TestMaskedValues:
    def test_are_never_compared_even_when_the_value_is_an_object(self) -> None:
        rules = NoiseRules().compile()
        comparison = compare(
            Answer(status=200, body={"owner": "***", "name": "***"}),
            Answer(status=200, body={"owner": {"id": "045089001234"}, "name": "Nguyễn Văn An"}),
            rules,
        )
        assert comparison.same
        assert comparison.masked == 2


class TestDiff:
    def test_shows_only_real_differences_with_sorted_keys(self) -> None:
        rules = NoiseRules(timestamps=True).compile()
        recorded = Answer(status=200, body={"b": 1, "a": "2026-11-20T08:30:00Z", "owner": "***"})
        replayed = Answer(status=200, body={"a": "2027-01-01T00:00:00Z", "b": 2, "owner": "Nguyễn Văn An"})
        diff = compare(recorded, replayed, rules).unified_diff(recorded, replayed)
        assert diff.splitlines() == [
            "--- recorded (status 200)",
            "+++ replayed (status 200)",
            "@@ -1,5 +1,5 @@",
            " {",
            '   "a": "2026-11-20T08:30:00Z",',
            '-  "b": 1,',
            '+  "b": 2,',
            '   "owner": "***"',
            " }",
        ]


class TestRulesFile:
    def test_flags_add_to_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "rules.yaml"
        path.write_text("ignore: [/items/*/updated_at]\nunordered: [/items]\ntolerance: 0.5\n")
        rules = rules_from(path, NoiseRules(ignore=["/total"], timestamps=True))
        assert rules.rules.ignore == ["/items/*/updated_at", "/total"]
        actual = with_items({**B, "updated_at": "x"}, {**A, "qty": 1.4}, total=99)
        comparison = compare(Answer(status=200, body=ITEMS), Answer(status=200, body=actual), rules)
        assert comparison.same

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("ignore: [/a]\nfuzzy: true\n", "fuzzy: Extra inputs are not permitted"),
            ("tolerance: -1\n", "tolerance"),
            ("id_patterns: ['(']\n", "not a regular expression"),
            ("ignore: [: bad\n", "is not YAML"),
        ],
    )
    def test_a_bad_file_is_refused_with_what_is_wrong(self, tmp_path: Path, text: str, message: str) -> None:
        path = tmp_path / "rules.yaml"
        path.write_text(text)
        with pytest.raises(RulesInvalid, match=message):
            rules_from(path, NoiseRules())

"""Interest tags, decay and segment rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.personalization.rules import (
    SegmentRule,
    SegmentRuleKind,
    check_segment,
    decayed,
    normalize_interests,
)
from rally.errors import InvalidInput
from rally.settings import Settings

SETTINGS = Settings(env="test", secret="x" * 40)


def test_an_inferred_score_halves_every_half_life() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert decayed(8.0, now, now, 14) == 8.0
    assert decayed(8.0, now - timedelta(days=14), now, 14) == pytest.approx(4.0)
    assert decayed(8.0, now - timedelta(days=28), now, 14) == pytest.approx(2.0)
    assert decayed(8.0, now + timedelta(seconds=5), now, 14) == 8.0  # never grows


def test_interests_fold_case_and_hash_and_keep_the_first_spelling_once() -> None:
    assert normalize_interests(["#Run", "run", " COFFEE "], SETTINGS) == ["run", "coffee"]
    with pytest.raises(InvalidInput):
        normalize_interests([f"t{i}" for i in range(SETTINGS.interest_max_explicit + 1)], SETTINGS)


def test_segments_need_a_name_and_one_to_ten_valid_rules() -> None:
    ok = SegmentRule(SegmentRuleKind.REGION, "  Paris ")
    name, rules = check_segment("  Runners  in Paris ", [ok], SETTINGS)
    assert (name, rules[0].value) == ("Runners in Paris", "Paris")
    bad = [("", [ok]), ("x", []), ("x", [ok] * 11),
           ("x", [SegmentRule(SegmentRuleKind.ACTIVE_WITHIN_DAYS, 0)]),
           ("x", [SegmentRule(SegmentRuleKind.LEVEL_AT_LEAST, 0)]),
           ("x", [SegmentRule(SegmentRuleKind.INTEREST, "two words")]),
           ("x", [SegmentRule(SegmentRuleKind.JOINED_AFTER, datetime(2026, 1, 1))])]
    for name, rules in bad:
        with pytest.raises(InvalidInput):
            check_segment(name, rules, SETTINGS)


def test_a_rule_survives_its_json_form() -> None:
    rule = SegmentRule(SegmentRuleKind.JOINED_AFTER, datetime(2026, 5, 1, tzinfo=UTC))
    assert SegmentRule.from_json(rule.to_json()) == rule

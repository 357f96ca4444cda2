"""Pure gamification rules: levels, streaks, tiers, periods, rule validation, board keys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gamification import rules
from gamification.boards import keys_of, member_of, sort_member
from rally.errors import InvalidInput

NAMES = ["Newcomer", "Regular", "Insider", "Champion", "Legend"]
THRESHOLDS = [0, 100, 500, 2000, 10000]


def test_levels_follow_thresholds_and_say_how_far_the_next_is() -> None:
    assert rules.level_for(0, NAMES, THRESHOLDS).name == "Newcomer"
    level = rules.level_for(120, NAMES, THRESHOLDS)
    assert (level.number, level.name, level.points_to_next) == (2, "Regular", 380)
    top = rules.level_for(50_000, NAMES, THRESHOLDS)
    assert (top.number, top.points_to_next) == (5, None)


def test_level_configuration_must_rise_from_zero() -> None:
    with pytest.raises(ValueError):
        rules.check_levels(NAMES, [0, 100, 100, 200, 300])
    with pytest.raises(ValueError):
        rules.check_levels(NAMES[:2], [10, 100])


def test_yesterday_extends_a_streak_and_a_missed_day_resets_it() -> None:
    today = date(2026, 11, 30)
    assert rules.next_streak(today - timedelta(days=1), 6, today) == 7
    assert rules.next_streak(today - timedelta(days=2), 6, today) == 1
    assert rules.next_streak(None, 0, today) == 1


def test_badge_tiers_and_progress() -> None:
    assert rules.tiers_reached(12, 5, 10, 20) == [rules.Tier.BRONZE, rules.Tier.SILVER]
    assert rules.next_tier(12, 5, 10, 20) == (rules.Tier.GOLD, 20)
    assert rules.next_tier(25, 5, 10, 20) == (None, 20)
    assert rules.next_tier(0, 1, None, None) == (rules.Tier.BRONZE, 1)
    with pytest.raises(InvalidInput):
        rules.check_badge_thresholds(rules.Criterion.POSTS, 5, 5, None, 1000)
    with pytest.raises(InvalidInput):
        rules.check_badge_thresholds(rules.Criterion.POSTS, 5, None, 50, 1000)


def test_rule_values_are_bounded() -> None:
    rules.check_rule(10, None, 100, 10)
    for points, cap in ((-1, None), (101, None), (5, -1), (5, 11)):
        with pytest.raises(InvalidInput):
            rules.check_rule(points, cap, 100, 10)


def test_periods_are_brand_weeks_from_monday_and_calendar_months() -> None:
    week = rules.period_of(rules.BoardKind.WEEKLY, date(2026, 12, 3))
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 7))
    month = rules.period_of(rules.BoardKind.MONTHLY, date(2026, 12, 31))
    assert (month.start, month.end) == (date(2026, 12, 1), date(2027, 1, 1))
    assert rules.period_of(rules.BoardKind.ALL_TIME, date(2026, 1, 1)).start is None


def test_earlier_reached_sorts_higher_among_equal_scores_and_keys_share_a_slot() -> None:
    early = sort_member(7, datetime(2026, 1, 1, tzinfo=UTC))
    late = sort_member(3, datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC))
    assert early > late  # ZREVRANGE lists the greater member first
    assert member_of(early) == 7
    tags = {k.split("{")[1].split("}")[0] for k in keys_of("lb:WEEKLY:2026-11-30")}
    assert tags == {"lb:WEEKLY:2026-11-30"}


def test_reasons_read_as_words() -> None:
    assert rules.readable_reason("REVERSAL", "moderation case #4") == (
        "Points taken back: the content was removed (moderation case #4)")

"""Pure campaign rules: odds, the draw, quiz scoring and tiers, challenge status."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from gamification.campaigns import rules
from gamification.campaigns.models import ChallengeAction
from rally.errors import InvalidInput


def test_probabilities_are_weight_over_total() -> None:
    assert rules.probabilities([1, 3]) == [0.25, 0.75]


def test_draw_maps_every_ticket_to_its_slot() -> None:
    weights = [2, 0, 3]
    drawn = Counter(rules.draw(weights, below=lambda n, t=t: t) for t in range(5))
    assert drawn == {0: 2, 2: 3}  # the zero-weight slot is never drawn


def test_draw_uses_the_whole_range_with_the_real_rng() -> None:
    seen = Counter(rules.draw([1, 1]) for _ in range(400))
    assert set(seen) == {0, 1}


def test_draw_refuses_an_empty_table() -> None:
    with pytest.raises(ValueError):
        rules.draw([0, 0])


QUESTIONS = [{"options": ["a", "b"], "correct": [1]}, {"options": ["a", "b", "c"],
                                                       "correct": [0, 2]}]


def test_quiz_score_needs_the_exact_set_of_right_options() -> None:
    assert rules.quiz_score(QUESTIONS, [[1], [2, 0]]) == 2
    assert rules.quiz_score(QUESTIONS, [[1], [0]]) == 1
    assert rules.quiz_score(QUESTIONS, [[0, 1], [0, 1, 2]]) == 0


def test_quiz_answers_must_match_the_questions() -> None:
    with pytest.raises(InvalidInput):
        rules.quiz_score(QUESTIONS, [[1]])
    with pytest.raises(InvalidInput):
        rules.quiz_score(QUESTIONS, [[5], [0]])


def test_quiz_tier_is_the_best_one_reached() -> None:
    assert rules.quiz_tier([0, 3, 1], 2) == 2
    assert rules.quiz_tier([0, 3, 1], 3) == 1
    assert rules.quiz_tier([2], 1) is None


def test_challenge_status_follows_the_window_and_an_early_end() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=7)
    assert rules.challenge_status(start, end, None, start - timedelta(seconds=1)) == "UPCOMING"
    assert rules.challenge_status(start, end, None, start) == "ACTIVE"
    assert rules.challenge_status(start, end, None, end) == "ENDED"
    assert rules.challenge_status(start, end, start + timedelta(days=1),
                                  start + timedelta(days=2)) == "ENDED"


def test_only_post_with_topic_takes_a_topic() -> None:
    assert rules.challenge_action(ChallengeAction.POST_WITH_TOPIC, "#Running") == "running"
    with pytest.raises(InvalidInput):
        rules.challenge_action(ChallengeAction.POST_WITH_TOPIC, None)
    with pytest.raises(InvalidInput):
        rules.challenge_action(ChallengeAction.COMMENT, "running")


def test_stock_is_split_evenly_over_shards_without_empty_ones() -> None:
    assert rules.split_stock(50, 8) == [7, 7, 6, 6, 6, 6, 6, 6]
    assert rules.split_stock(3, 8) == [1, 1, 1]
    assert sum(rules.split_stock(1_000_003, 8)) == 1_000_003


async def test_a_deadlock_victim_is_run_again_and_other_errors_are_not() -> None:
    from sqlalchemy.exc import DBAPIError

    from rally.retry import retry_on_deadlock

    class PgError(Exception):
        def __init__(self, sqlstate: str) -> None:
            self.sqlstate = sqlstate

    calls: list[str] = []

    async def deadlocks_once() -> str:
        calls.append("x")
        if len(calls) == 1:
            raise DBAPIError("UPDATE", {}, PgError("40P01"))
        return "done"

    assert await retry_on_deadlock(deadlocks_once) == "done"
    assert len(calls) == 2

    async def unique_violation() -> str:
        calls.append("y")
        raise DBAPIError("INSERT", {}, PgError("23505"))

    with pytest.raises(DBAPIError):
        await retry_on_deadlock(unique_violation)
    assert calls.count("y") == 1

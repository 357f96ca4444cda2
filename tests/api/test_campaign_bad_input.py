"""Bad input to campaigns: a clear error with its code, and nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api.container import Container
from api.relay import to_global_id
from tests.api.campaign_support import CREATE_GAME, campaign_counts, game_input, iso, now
from tests.support import GraphQLClient

_BAD_GAMES: list[tuple[str, dict[str, Any], str]] = [
    ("weights summing to zero", {"prizes": [{"name": "A", "weight": 0}]}, "prizes"),
    ("negative stock", {"prizes": [{"name": "A", "weight": 1, "stock": -1}]}, "prizes[0].stock"),
    ("negative weight", {"prizes": [{"name": "A", "weight": -2}, {"name": "B", "weight": 5}]},
     "prizes[0].weight"),
    ("window ending before it starts", {"startsAt": iso(now() + timedelta(days=2)),
                                        "endsAt": iso(now() + timedelta(days=1))}, "endsAt"),
    ("negative cost", {"costPoints": -5}, "costPoints"),
    ("no prizes", {"prizes": []}, "prizes"),
    ("points and coupon in one prize", {"prizes": [{
        "name": "A", "weight": 1, "points": 5,
        "couponCampaignId": to_global_id("CouponCampaign", 1)}]}, "prizes[0]"),
    ("a quiz without questions", {"kind": "QUIZ", "prizes": [{"name": "A", "minScore": 0}]},
     "questions"),
    ("a quiz answer key out of range", {"kind": "QUIZ", "prizes": [{"name": "A", "minScore": 0}],
                                        "questions": [{"prompt": "?", "options": ["a", "b"],
                                                       "correct": [2]}]},
     "questions[0].correct"),
    ("a quiz tier above the question count", {
        "kind": "QUIZ", "prizes": [{"name": "A", "minScore": 3}],
        "questions": [{"prompt": "?", "options": ["a", "b"], "correct": [0]}]},
     "prizes[0].minScore"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), _BAD_GAMES, ids=[c[0] for c in _BAD_GAMES])
async def test_a_bad_game_is_refused_and_nothing_is_written(
        client: GraphQLClient, container: Container, case: str, overrides: dict[str, Any],
        field: str) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    before = await campaign_counts(container)
    error = await client.error(CREATE_GAME, {"input": game_input(**overrides)}, marketer.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["field"] == field
    assert await campaign_counts(container) == before


async def test_a_prize_from_an_unknown_coupon_campaign_is_not_found(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    before = await campaign_counts(container)
    error = await client.error(CREATE_GAME, {"input": game_input(prizes=[{
        "name": "Ghost", "weight": 1, "couponCampaignId": to_global_id("CouponCampaign", 999)}])},
        marketer.token)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await campaign_counts(container) == before


async def test_members_cannot_create_games(client: GraphQLClient, container: Container) -> None:
    alice = await client.register("Alice")
    error = await client.error(CREATE_GAME, {"input": game_input()}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_malformed_quiz_answers_are_refused_and_nothing_is_written(
        client: GraphQLClient, container: Container) -> None:
    from tests.api.campaign_support import ANSWER, create_game

    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    quiz = await create_game(client, marketer, kind="QUIZ", prizes=[{"minScore": 1, "points": 5}],
                             questions=[{"prompt": "1 + 1?", "options": ["2", "3"],
                                         "correct": [0]}])
    before = await campaign_counts(container)
    for answers, field in (([], "answers"), ([[0], [1]], "answers"), ([[7]], "answers[0]")):
        error = await client.error(ANSWER, {"input": {"gameId": quiz["id"], "answers": answers,
                                                      "idempotencyKey": "k"}}, alice.token)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "BAD_USER_INPUT", field)
    assert await campaign_counts(container) == before

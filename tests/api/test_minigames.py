"""Mini-games through GraphQL: the prize table, free plays, coupons, quizzes."""

from __future__ import annotations

from datetime import timedelta

from api.container import Container
from tests.api.campaign_support import (
    ANSWER,
    GAME,
    campaign_counts,
    create_game,
    iso,
    now,
    play,
)
from tests.api.coupon_support import create_campaign, my_coupons
from tests.support import GraphQLClient


async def test_prize_table_discloses_odds_and_remaining_stock(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    campaign = await create_campaign(client, marketer, quota=100)
    game = await create_game(client, marketer, prizes=[
        {"name": "10% off", "weight": 1, "couponCampaignId": campaign, "stock": 5},
        {"name": "Try again", "weight": 3}])
    assert game["active"] is True
    assert [(p["name"], p["probability"], p["stock"], p["remainingStock"], p["isNoPrize"])
            for p in game["prizes"]] == [("10% off", 0.25, 5, 5, False),
                                         ("Try again", 0.75, None, None, True)]
    data = await client.execute(GAME, {"id": game["id"]})
    assert data["miniGame"]["prizes"][0]["probability"] == 0.25


async def test_free_plays_of_the_day_run_out_with_a_conflict(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign = await create_campaign(client, marketer, quota=100, perUserLimit=5)
    game = await create_game(client, marketer, freePlaysPerDay=2, prizes=[
        {"name": "10% off", "weight": 1, "couponCampaignId": campaign}])
    first = await play(client, alice, game["id"], "k1")
    outcome = first["data"]["playMiniGame"]["outcome"]
    assert outcome["prize"]["name"] == "10% off"
    [coupon] = outcome["reward"]["coupons"]
    assert coupon["source"] == "MINI_GAME"
    await play(client, alice, game["id"], "k2")
    third = await play(client, alice, game["id"], "k3")
    assert third["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert third["errors"][0]["extensions"]["reason"] == "NO_PLAYS_LEFT"
    assert len(await my_coupons(client, alice)) == 2


async def test_a_prize_whose_quota_is_gone_falls_back_to_no_prize(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    campaign = await create_campaign(client, marketer, quota=1)
    game = await create_game(client, marketer, prizes=[
        {"name": "Last coupon", "weight": 1, "couponCampaignId": campaign, "stock": 10}])
    won = (await play(client, alice, game["id"], "a"))["data"]["playMiniGame"]["outcome"]
    lost = (await play(client, bob, game["id"], "b"))["data"]["playMiniGame"]["outcome"]
    assert won["prize"]["name"] == "Last coupon"
    assert lost == {"prize": None, "score": None, "reward": {"points": 0, "coupons": []}}
    data = await client.execute(GAME, {"id": game["id"]})
    assert data["miniGame"]["prizes"][0]["remainingStock"] == 9  # the lost draw took none
    assert (await campaign_counts(container))["coupons"] == 1


async def test_replaying_a_key_returns_the_first_outcome_and_pays_nothing(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign = await create_campaign(client, marketer, quota=100, perUserLimit=10)
    game = await create_game(client, marketer, freePlaysPerDay=5, prizes=[
        {"name": "Coupon", "weight": 1, "couponCampaignId": campaign}])
    first = await play(client, alice, game["id"], "same")
    again = await play(client, alice, game["id"], "same")
    assert again["data"] == first["data"]
    assert (await campaign_counts(container))["plays"] == 1
    assert len(await my_coupons(client, alice)) == 1


QUIZ = {
    "kind": "QUIZ", "title": "Know your sneakers",
    "questions": [
        {"prompt": "Which sole is for trail?", "options": ["Slick", "Lugged"], "correct": [1]},
        {"prompt": "Pick the natural fibres", "options": ["Wool", "Nylon", "Cotton"],
         "correct": [0, 2]},
    ],
}


async def test_a_quiz_is_scored_on_the_server_pays_its_tier_and_is_answered_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    campaign = await create_campaign(client, marketer)
    game = await create_game(client, marketer, **QUIZ, prizes=[
        {"name": "Thanks for playing", "minScore": 0},
        {"name": "Perfect score coupon", "minScore": 2, "couponCampaignId": campaign}])
    assert game["questions"] == [{"prompt": "Which sole is for trail?",
                                  "options": ["Slick", "Lugged"]},
                                 {"prompt": "Pick the natural fibres",
                                  "options": ["Wool", "Nylon", "Cotton"]}]
    perfect = await client.execute(ANSWER, {"input": {
        "gameId": game["id"], "answers": [[1], [2, 0]], "idempotencyKey": "q"}}, alice.token)
    outcome = perfect["answerQuiz"]["outcome"]
    assert outcome["score"] == 2
    assert outcome["prize"]["name"] == "Perfect score coupon"
    assert len(outcome["reward"]["coupons"]) == 1
    half = await client.execute(ANSWER, {"input": {
        "gameId": game["id"], "answers": [[1], [0]], "idempotencyKey": "q"}}, bob.token)
    assert half["answerQuiz"]["outcome"]["score"] == 1
    assert half["answerQuiz"]["outcome"]["prize"] is None
    twice = await client.error(ANSWER, {"input": {
        "gameId": game["id"], "answers": [[1], [0, 2]], "idempotencyKey": "q2"}}, alice.token)
    assert (twice["extensions"]["code"], twice["extensions"]["reason"]) == (
        "CONFLICT", "ALREADY_ANSWERED")
    assert (await campaign_counts(container))["quizzes"] == 2


async def test_an_inactive_game_cannot_be_played(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    later = await create_game(client, marketer, startsAt=iso(now() + timedelta(days=1)),
                              endsAt=iso(now() + timedelta(days=2)))
    assert later["active"] is False
    before = await campaign_counts(container)
    refused = await play(client, alice, later["id"], "k")
    assert refused["errors"][0]["extensions"]["reason"] == "GAME_NOT_ACTIVE"
    ended = await create_game(client, marketer)
    await client.execute("mutation($id: ID!) { endMiniGame(gameId: $id) { game { active } } }",
                         {"id": ended["id"]}, marketer.token)
    refused = await play(client, alice, ended["id"], "k2")
    assert refused["errors"][0]["extensions"]["code"] == "CONFLICT"
    after = await campaign_counts(container)
    assert after["plays"] == before["plays"] == 0


async def test_prizes_without_a_name_say_what_they_pay(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    campaign = await create_campaign(client, marketer)
    game = await create_game(client, marketer, prizes=[
        {"weight": 1, "points": 50}, {"weight": 1, "couponCampaignId": campaign},
        {"weight": 2}])
    assert [p["name"] for p in game["prizes"]] == ["50 points", "Coupon", "No prize"]

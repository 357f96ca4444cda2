"""Campaigns paying and charging points through the ledger: plays, prizes, challenges,
votes, the catalogue, referrals."""

from __future__ import annotations

import asyncio

from api.container import Container
from api.relay import decode_id
from domain.events import PostCreated
from tests.api.campaign_support import (
    JOIN,
    balance,
    campaign_counts,
    create_challenge,
    create_game,
    give_points,
    members,
    play,
    publish,
    scalar,
)
from tests.api.coupon_support import create_campaign, grant, my_coupons
from tests.support import GraphQLClient

REDEEM = """mutation($input: RedeemRewardInput!) { redeemReward(input: $input) {
  item { remainingStock } coupon { source } reward { points coupons { id } } } }"""
CREATE_ITEM = """mutation($input: CreateRewardItemInput!) { createRewardItem(input: $input) {
  item { id title costPoints stock remainingStock perMemberLimit } } }"""


async def test_a_member_with_points_for_one_play_sending_five_at_once_plays_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    await give_points(container, alice, 30)
    game = await create_game(client, marketer, freePlaysPerDay=0, costPoints=20, prizes=[
        {"name": "Nothing", "weight": 1}])
    bodies = await asyncio.gather(*[play(client, alice, game["id"], f"k{i}") for i in range(5)])
    played = [b for b in bodies if "errors" not in b]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b]
    assert len(played) == 1
    assert refused == ["CONFLICT"] * 4
    assert played[0]["data"]["playMiniGame"]["outcome"]["reward"]["points"] == -20
    assert await balance(container, alice) == 10
    assert (await campaign_counts(container))["plays"] == 1


async def test_a_points_prize_is_paid_once_even_when_the_key_is_replayed(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    game = await create_game(client, marketer, freePlaysPerDay=3, prizes=[
        {"name": "50 points", "weight": 1, "points": 50, "stock": 2}])
    first = await play(client, alice, game["id"], "k")
    assert first["data"]["playMiniGame"]["outcome"]["reward"]["points"] == 50
    again = await play(client, alice, game["id"], "k")
    assert again["data"] == first["data"]
    await play(client, alice, game["id"], "k2")
    third = await play(client, alice, game["id"], "k3")  # stock of 2 is gone
    assert third["data"]["playMiniGame"]["outcome"]["prize"] is None
    assert await balance(container, alice) == 100


async def test_completing_a_challenge_pays_its_points_once_and_counts_plays(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    game = await create_game(client, marketer, freePlaysPerDay=5)
    challenge = await create_challenge(client, marketer, action="PLAY_GAME", topic=None,
                                       target=2, rewards={"points": 70})
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    first = await play(client, alice, game["id"], "a")
    progress = first["data"]["playMiniGame"]["outcome"]["reward"]
    assert progress["points"] == 0
    second = await client.execute("""mutation($id: ID!) { playMiniGame(input: {gameId: $id,
      idempotencyKey: "b"}) { outcome { reward { points challengeProgress {
      progress target completed } } } } }""", {"id": game["id"]}, alice.token)
    reward = second["playMiniGame"]["outcome"]["reward"]
    assert reward["challengeProgress"] == [{"progress": 2, "target": 2, "completed": True}]
    assert reward["points"] == 70
    await play(client, alice, game["id"], "c")
    assert await balance(container, alice) == 70
    report = await client.execute("query($id: ID!) { challengeReport(challengeId: $id) { "
                                  "pointsPaid completions } }", {"id": challenge["id"]},
                                  marketer.token)
    assert report["challengeReport"] == {"pointsPaid": 70, "completions": 1}


async def test_a_challenge_without_points_pays_the_challenge_completed_rule(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    challenge = await create_challenge(client, marketer, target=1)
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    reward = await publish(container, PostCreated(post_id=1, author_id=decode_id(alice.id, "User"),
                                                  topics=["running"], status="PUBLISHED"))
    assert reward.points == 10 + 100  # the post's rule, then the CHALLENGE_COMPLETED rule
    assert await scalar(container, "SELECT delta FROM point_entries"
                                   " WHERE reason = 'CHALLENGE_COMPLETED'") == 100
    assert await scalar(container, "SELECT challenges_completed FROM member_points") == 1


async def test_a_quota_of_ten_reached_from_a_game_a_challenge_and_grants_issues_ten(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 36)
    campaign = await create_campaign(client, marketer, quota=10)
    game = await create_game(client, marketer, prizes=[
        {"name": "Coupon", "weight": 1, "couponCampaignId": campaign}])
    challenge = await create_challenge(client, marketer, target=1, rewards={
        "points": 0, "couponCampaignId": campaign})
    completers = crowd[12:24]
    for member in completers:
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)

    async def complete(i: int) -> object:
        return await publish(container, PostCreated(
            post_id=i, author_id=decode_id(completers[i].id, "User"), topics=["running"],
            status="PUBLISHED"))

    results = await asyncio.gather(
        *[play(client, m, game["id"], "k") for m in crowd[:12]],
        *[complete(i) for i in range(12)],
        *[grant(client, marketer, campaign, *crowd[i:i + 4]) for i in range(24, 36, 4)])
    won = sum(1 for b in results[:12] if b["data"]["playMiniGame"]["outcome"]["prize"])
    completed = sum(len(r.coupons) for r in results[12:24])
    granted = sum(g["issuedCount"] for g in results[24:])
    assert won + completed + granted == 10
    counts = await campaign_counts(container)
    assert (counts["coupons"], counts["issued"]) == (10, 10)


async def test_redeeming_a_reward_spends_points_and_issues_the_coupon_together(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await give_points(container, alice, 250)
    await give_points(container, bob, 50)
    campaign = await create_campaign(client, marketer, perUserLimit=5)
    item = (await client.execute(CREATE_ITEM, {"input": {
        "title": "Free coffee", "costPoints": 100, "couponCampaignId": campaign, "stock": 5,
        "perMemberLimit": 2}}, marketer.token))["createRewardItem"]["item"]
    catalog = await client.execute("{ rewardsCatalog { nodes { title costPoints } } }")
    assert catalog["rewardsCatalog"]["nodes"] == [{"title": "Free coffee", "costPoints": 100}]
    done = await client.execute(REDEEM, {"input": {"itemId": item["id"],
                                                   "idempotencyKey": "r1"}}, alice.token)
    assert done["redeemReward"]["reward"]["points"] == -100
    assert done["redeemReward"]["coupon"]["source"] == "CATALOG"
    assert done["redeemReward"]["item"]["remainingStock"] == 4
    again = await client.execute(REDEEM, {"input": {"itemId": item["id"],
                                                    "idempotencyKey": "r1"}}, alice.token)
    assert again["redeemReward"]["reward"] == done["redeemReward"]["reward"]
    assert await balance(container, alice) == 150
    before = await campaign_counts(container)
    poor = await client.error(REDEEM, {"input": {"itemId": item["id"], "idempotencyKey": "b"}},
                              bob.token)
    assert poor["extensions"]["code"] == "CONFLICT"
    assert await campaign_counts(container) == before
    assert await balance(container, bob) == 50
    await client.execute(REDEEM, {"input": {"itemId": item["id"], "idempotencyKey": "r2"}},
                         alice.token)
    limit = await client.error(REDEEM, {"input": {"itemId": item["id"],
                                                  "idempotencyKey": "r3"}}, alice.token)
    assert limit["extensions"]["reason"] == "MEMBER_LIMIT_REACHED"
    assert await balance(container, alice) == 50
    assert len(await my_coupons(client, alice)) == 2


async def test_a_reward_out_of_stock_refuses_concurrent_redeemers_without_charging(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 10)
    for member in crowd:
        await give_points(container, member, 100)
    campaign = await create_campaign(client, marketer)
    item = (await client.execute(CREATE_ITEM, {"input": {
        "title": "Tote bag", "costPoints": 100, "couponCampaignId": campaign, "stock": 3}},
        marketer.token))["createRewardItem"]["item"]
    responses = await asyncio.gather(*[client.post(REDEEM, {"input": {
        "itemId": item["id"], "idempotencyKey": "x"}}, m.token) for m in crowd])
    ok = [r.json() for r in responses if "errors" not in r.json()]
    assert len(ok) == 3
    assert sorted([await balance(container, m) for m in crowd]) == [0] * 3 + [100] * 7
    counts = await campaign_counts(container)
    assert (counts["redemptions"], counts["coupons"]) == (3, 3)


async def test_bad_reward_items_are_refused(client: GraphQLClient,
                                            container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    campaign = await create_campaign(client, marketer)
    for overrides, field in (({"costPoints": 0}, "costPoints"), ({"stock": -1}, "stock"),
                             ({"perMemberLimit": 0}, "perMemberLimit")):
        error = await client.error(CREATE_ITEM, {"input": {
            "title": "X", "costPoints": 10, "couponCampaignId": campaign, **overrides}},
            marketer.token)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "BAD_USER_INPUT", field)
    error = await client.error(CREATE_ITEM, {"input": {
        "title": "X", "costPoints": 10, "couponCampaignId": "Q291cG9uQ2FtcGFpZ246OTk5"}},
        marketer.token)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await campaign_counts(container))["items"] == 0


async def test_a_vote_can_pay_points_once(client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    poll = (await client.execute("""mutation { createPoll(input: {question: "Trail or road?",
      options: ["Trail", "Road"], pointsForVote: 5}) { poll { id results { id } } } }""",
                                 token=marketer.token))["createPoll"]["poll"]
    voted = await client.execute("""mutation($p: ID!, $o: ID!) { vote(input: {pollId: $p,
      optionId: $o}) { reward { points } } }""", {"p": poll["id"],
                                                 "o": poll["results"][0]["id"]}, alice.token)
    assert voted["vote"]["reward"]["points"] == 5
    assert await balance(container, alice) == 5

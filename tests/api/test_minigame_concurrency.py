"""Mini-game payouts hold under real concurrent requests: stock, quota, idempotency."""

from __future__ import annotations

import asyncio

from api.container import Container
from tests.api.campaign_support import campaign_counts, create_game, members, play, scalar
from tests.api.coupon_support import create_campaign
from tests.support import GraphQLClient


async def test_two_hundred_players_racing_for_a_stock_of_fifty_make_fifty_winners(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    players = await members(container, 200)
    campaign = await create_campaign(client, marketer, quota=1000)
    game = await create_game(client, marketer, prizes=[
        {"name": "Golden ticket", "weight": 1, "couponCampaignId": campaign, "stock": 50}])

    bodies = await asyncio.gather(*[play(client, p, game["id"], "go") for p in players])

    assert all("errors" not in b for b in bodies), [b for b in bodies if "errors" in b][:1]
    outcomes = [b["data"]["playMiniGame"]["outcome"] for b in bodies]
    winners = [o for o in outcomes if o["prize"] is not None]
    assert len(winners) == 50
    assert all(len(o["reward"]["coupons"]) == 1 for o in winners)
    assert all(o["reward"]["coupons"] == [] for o in outcomes if o["prize"] is None)
    counts = await campaign_counts(container)
    assert (counts["plays"], counts["coupons"], counts["issued"], counts["stock"]) == (
        200, 50, 50, 0)
    assert await scalar(container, "SELECT count(*) FROM mini_game_plays"
                                   " WHERE prize_id IS NOT NULL") == 50


async def test_the_same_key_sent_ten_times_at_once_plays_once_with_one_answer(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign = await create_campaign(client, marketer, quota=100, perUserLimit=10)
    game = await create_game(client, marketer, freePlaysPerDay=10, prizes=[
        {"name": "Coupon", "weight": 1, "couponCampaignId": campaign},
        {"name": "Nothing", "weight": 1}])

    bodies = await asyncio.gather(*[play(client, alice, game["id"], "once") for _ in range(10)])

    assert all("errors" not in b for b in bodies)
    assert len({repr(b["data"]) for b in bodies}) == 1
    counts = await campaign_counts(container)
    assert counts["plays"] == 1
    assert counts["coupons"] == (1 if bodies[0]["data"]["playMiniGame"]["outcome"]["prize"]
                                 else 0)
    assert await scalar(container, "SELECT free_plays FROM mini_game_days") == 1


async def test_a_quota_of_ten_reached_from_a_game_and_grants_at_once_issues_ten(
        client: GraphQLClient, container: Container) -> None:
    from tests.api.coupon_support import grant

    marketer = await client.member_with_roles(container, "MARKETER")
    players = await members(container, 30)
    campaign = await create_campaign(client, marketer, quota=10)
    game = await create_game(client, marketer, prizes=[
        {"name": "Coupon", "weight": 1, "couponCampaignId": campaign}])

    plays = [play(client, p, game["id"], "k") for p in players[:15]]
    grants = [grant(client, marketer, campaign, *players[i:i + 5]) for i in range(15, 30, 5)]
    results = await asyncio.gather(*plays, *grants)

    won = sum(1 for b in results[:15] if b["data"]["playMiniGame"]["outcome"]["prize"])
    granted = sum(g["issuedCount"] for g in results[15:])
    assert won + granted == 10
    counts = await campaign_counts(container)
    assert (counts["coupons"], counts["issued"]) == (10, 10)

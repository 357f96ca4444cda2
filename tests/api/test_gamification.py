"""Gamification through GraphQL: check-ins, rules, badges, levels, the member's ledger."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from domain.events import PostCreated
from domain.pagination import PageRequest
from gamification.ledger import Source, award
from tests.gamification_support import act, figures, member

CHECK_IN = """mutation($key: String!) { checkIn(input: {idempotencyKey: $key}) {
  day streak reward { points notes levelUp { number name } badges { name }
                      badgeTiers { tier badge { name } } } } }"""
ME = """{ me { points lifetimePoints level { number name pointsToNext }
        badges { tier badge { name } } } }"""
SET_RULE = """mutation($input: SetPointRuleInput!) { setPointRule(input: $input) {
  rule { action points dailyCap oncePerTarget } } }"""
CREATE_BADGE = """mutation($input: CreateBadgeInput!) { createBadge(input: $input) {
  badge { id name criterion bronze silver gold holderCount } } }"""


async def test_first_check_in_pays_and_a_second_the_same_day_is_a_conflict(container, client) -> None:
    alice, _ = await member(client)
    first = (await client.execute(CHECK_IN, {"key": "k1"}, alice.token))["checkIn"]
    assert first["streak"] == 1 and first["reward"]["points"] == 5
    again = await client.error(CHECK_IN, {"key": "k2"}, alice.token)
    assert again["extensions"]["code"] == "CONFLICT"
    replay = (await client.execute(CHECK_IN, {"key": "k1"}, alice.token))["checkIn"]
    assert replay == first
    me = (await client.execute(ME, token=alice.token))["me"]
    assert me["points"] == 5


async def test_100_concurrent_check_ins_with_different_keys_pay_once(container, client) -> None:
    alice, alice_id = await member(client)
    responses = await asyncio.gather(*(
        client.post(CHECK_IN, {"key": f"key-{i}"}, alice.token) for i in range(100)))
    bodies = [r.json() for r in responses]
    paid = [b for b in bodies if "errors" not in b]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if "errors" in b]
    assert len(paid) == 1 and refused == ["CONFLICT"] * 99
    assert (await figures(container, alice_id))["balance"] == 5


async def test_concurrent_check_ins_with_one_key_pay_once_and_answer_alike(container, client) -> None:
    # The repeats wait on the key's unique index for the first call's commit, then answer
    # what it stored (read by a statement after the claim, which sees that commit).
    alice, alice_id = await member(client)
    responses = await asyncio.gather(*(
        client.post(CHECK_IN, {"key": "same"}, alice.token) for _ in range(20)))
    bodies = [r.json() for r in responses]
    assert all("errors" not in b for b in bodies), bodies
    assert {str(b["data"]["checkIn"]) for b in bodies} == {str(bodies[0]["data"]["checkIn"])}
    assert bodies[0]["data"]["checkIn"]["reward"]["points"] == 5
    assert (await figures(container, alice_id))["balance"] == 5


async def test_a_reused_key_with_another_payload_or_a_bad_key_is_refused(container, client) -> None:
    alice, _ = await member(client)
    error = await client.error(CHECK_IN, {"key": ""}, alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    anonymous = await client.error(CHECK_IN, {"key": "k"})
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_seventh_day_pays_the_milestone_bonus_and_a_missed_day_resets(container, client) -> None:
    alice, alice_id = await member(client)
    # Six days of check-ins before today (brand days), as the calendar would hold them.
    async with container.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO member_points (member_id, streak, best_streak, last_check_in) "
            "VALUES (:m, 6, 6, (now() AT TIME ZONE 'UTC')::date - 1)"), {"m": alice_id})
    seventh = (await client.execute(CHECK_IN, {"key": "d7"}, alice.token))["checkIn"]
    assert seventh["streak"] == 7 and seventh["reward"]["points"] == 5 + 50
    async with container.engine.begin() as conn:
        await conn.execute(text(
            "UPDATE member_points SET last_check_in = last_check_in - 2 WHERE member_id = :m"),
            {"m": alice_id})
        await conn.execute(text("DELETE FROM check_ins WHERE member_id = :m"), {"m": alice_id})
    reset = (await client.execute(CHECK_IN, {"key": "d9"}, alice.token))["checkIn"]
    assert reset["streak"] == 1


async def test_check_in_calendar_lists_the_month(container, client) -> None:
    alice, _ = await member(client)
    day = (await client.execute(CHECK_IN, {"key": "k"}, alice.token))["checkIn"]["day"]
    query = "query($m: String!) { checkInCalendar(month: $m) { day streak points } }"
    days = (await client.execute(query, {"m": day[:7]}, alice.token))["checkInCalendar"]
    assert days == [{"day": day, "streak": 1, "points": 5}]
    bad = await client.error(query, {"m": "2026-13"}, alice.token)
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"


async def test_point_rules_are_set_by_marketers_and_validated(container, client) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, alice_id = await member(client)
    rule = {"action": "POST_CREATED", "points": 25, "dailyCap": 2, "oncePerTarget": True}
    forbidden = await client.error(SET_RULE, {"input": rule}, alice.token)
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    for bad in ({"points": -1}, {"points": 10_001}, {"dailyCap": -3}, {"dailyCap": 10**6}):
        error = await client.error(SET_RULE, {"input": {**rule, **bad}}, marketer.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    rules = (await client.execute("{ pointRules { action points dailyCap } }"))["pointRules"]
    assert {"action": "POST_CREATED", "points": 10, "dailyCap": 5} in rules
    saved = (await client.execute(SET_RULE, {"input": rule}, marketer.token))["setPointRule"]
    assert saved["rule"] == rule
    reward = await act(container, PostCreated(post_id=1, author_id=alice_id, topics=[],
                                              status="PUBLISHED"))
    assert reward.points == 25


async def test_a_new_best_streak_earns_the_streak_badge_tiers_it_reaches(container, client) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    (alice, _), (bob, bob_id) = await member(client), await member(client)
    far = (await client.execute(CREATE_BADGE, {"input": {
        "name": "Marathon", "criterion": "CHECK_IN_STREAK", "bronze": 3}},
        marketer.token))["createBadge"]["badge"]
    first = (await client.execute(CHECK_IN, {"key": "a1"}, alice.token))["checkIn"]
    assert first["streak"] == 1 and first["reward"]["badgeTiers"] == []
    await client.execute("""mutation($id: ID!) { updateBadge(input: {badgeId: $id, bronze: 2,
                            silver: 3}) { badge { id } } }""", {"id": far["id"]}, marketer.token)
    # Bob's best streak was 1 and yesterday was day 1: today is day 2, a new best.
    async with container.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO member_points (member_id, streak, best_streak, last_check_in) "
            "VALUES (:m, 1, 1, (now() AT TIME ZONE 'UTC')::date - 1)"), {"m": bob_id})
    second = (await client.execute(CHECK_IN, {"key": "b2"}, bob.token))["checkIn"]
    assert second["streak"] == 2
    assert [(t["tier"], t["badge"]["name"]) for t in second["reward"]["badgeTiers"]] == [
        ("BRONZE", "Marathon")]
    me = (await client.execute(ME, token=bob.token))["me"]
    assert [b["tier"] for b in me["badges"]] == ["BRONZE"]


async def test_badges_are_awarded_once_per_tier_with_progress_and_holders(container, client) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, alice_id = await member(client)
    badge = (await client.execute(CREATE_BADGE, {"input": {
        "name": "Storyteller", "criterion": "POSTS", "bronze": 1, "silver": 2}},
        marketer.token))["createBadge"]["badge"]
    first = await act(container, PostCreated(post_id=1, author_id=alice_id, topics=[],
                                             status="PUBLISHED"))
    assert [b.tier for b in first.badges] == ["BRONZE"]
    second = await act(container, PostCreated(post_id=2, author_id=alice_id, topics=[],
                                              status="PUBLISHED"))
    assert [b.tier for b in second.badges] == ["SILVER"]
    third = await act(container, PostCreated(post_id=3, author_id=alice_id, topics=[],
                                             status="PUBLISHED"))
    assert third.badges == []
    data = await client.execute(
        "{ badges { name holderCount myProgress { current target tier } } }", token=alice.token)
    assert data["badges"] == [{"name": "Storyteller", "holderCount": 1,
                               "myProgress": {"current": 3, "target": 2, "tier": None}}]
    me = (await client.execute(ME, token=alice.token))["me"]
    assert [b["tier"] for b in me["badges"]] == ["BRONZE", "SILVER"]
    assert badge["holderCount"] == 0


async def test_badge_input_is_validated_and_marketers_only(container, client) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, _ = await member(client)
    good = {"name": "Chatty", "criterion": "COMMENTS", "bronze": 5}
    assert (await client.error(CREATE_BADGE, {"input": good}, alice.token)
            )["extensions"]["code"] == "FORBIDDEN"
    for bad in ({"bronze": 0}, {"silver": 3}, {"gold": 50}, {"name": "x"},
                {"criterion": "FIRST_POST", "bronze": 3}):
        error = await client.error(CREATE_BADGE, {"input": {**good, **bad}}, marketer.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", bad
    created = (await client.execute(CREATE_BADGE, {"input": good}, marketer.token)
               )["createBadge"]["badge"]
    duplicate = await client.error(CREATE_BADGE, {"input": good}, marketer.token)
    assert duplicate["extensions"]["code"] == "CONFLICT"
    update = """mutation($input: UpdateBadgeInput!) { updateBadge(input: $input) {
                  badge { name bronze silver active } } }"""
    updated = (await client.execute(update, {"input": {
        "badgeId": created["id"], "silver": 20, "active": False}}, marketer.token))
    assert updated["updateBadge"]["badge"] == {"name": "Chatty", "bronze": 5, "silver": 20,
                                               "active": False}
    assert (await client.execute("{ badges { name } }"))["badges"] == []
    bad = await client.error(update, {"input": {"badgeId": created["id"], "silver": 2}},
                             marketer.token)
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"


async def test_levels_follow_lifetime_earned_and_spending_never_demotes(container, client) -> None:
    from gamification.ledger import spend

    alice, alice_id = await member(client)
    async with container.uow() as uow:
        await award(uow, alice_id, 120, "ADJUSTMENT", Source(), "a1")
        await uow.commit()
    assert uow.reward.level_up is not None and uow.reward.level_up.name == "Regular"
    async with container.uow() as uow:
        await spend(uow, alice_id, 100, "SPEND", Source("CATALOG_ITEM", 1), "s1")
        await uow.commit()
    me = (await client.execute(ME, token=alice.token))["me"]
    assert me["points"] == 20 and me["lifetimePoints"] == 120
    assert me["level"] == {"number": 2, "name": "Regular", "pointsToNext": 380}
    page = await container.notifications.list(alice_id, PageRequest(10))
    kinds = [n.kind for n in page.items]
    assert "LEVEL_UP" in kinds and "POINTS" in kinds  # myNotifications pushes these


async def test_points_history_pages_the_callers_ledger_with_reasons(container, client) -> None:
    alice, alice_id = await member(client)
    for i in range(3):
        await act(container, PostCreated(post_id=i + 1, author_id=alice_id, topics=[],
                                         status="PUBLISHED"))
    query = """query($after: String) { pointsHistory(first: 2, after: $after) {
                 edges { node { delta reason description } } pageInfo { hasNextPage endCursor } } }"""
    page = (await client.execute(query, {"after": None}, alice.token))["pointsHistory"]
    assert [e["node"]["delta"] for e in page["edges"]] == [10, 10]
    assert page["edges"][0]["node"]["description"] == "You published a post"
    assert page["pageInfo"]["hasNextPage"]
    rest = (await client.execute(query, {"after": page["pageInfo"]["endCursor"]}, alice.token))
    assert len(rest["pointsHistory"]["edges"]) == 1
    too_many = await client.error("{ pointsHistory(first: 101) { edges { cursor } } }",
                                  token=alice.token)
    assert too_many["extensions"]["code"] == "BAD_USER_INPUT"

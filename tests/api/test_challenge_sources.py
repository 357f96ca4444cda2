"""Challenge progress from gamification's own actions (check-ins), segments, the CHALLENGE
board fed to Redis, and quizzes answered twice at once."""

from __future__ import annotations

import asyncio

from api.container import Container
from tests.api.campaign_support import (
    ANSWER,
    JOIN,
    campaign_counts,
    create_challenge,
    create_game,
    give_points,
    play,
)
from tests.support import GraphQLClient

CHECK_IN = """mutation($k: String!) { checkIn(input: {idempotencyKey: $k}) {
  reward { challengeProgress { progress target completed } } } }"""


async def test_a_check_in_advances_a_check_in_challenge(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    challenge = await create_challenge(client, marketer, action="CHECK_IN", topic=None, target=3)
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    data = await client.execute(CHECK_IN, {"k": "today"}, alice.token)
    assert data["checkIn"]["reward"]["challengeProgress"] == [
        {"progress": 1, "target": 3, "completed": False}]


async def test_a_segment_by_level_refuses_newcomers(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    newcomer, regular = await client.register("New"), await client.register("Regular")
    await give_points(container, regular, 150)  # level 2 starts at 100 lifetime points
    challenge = await create_challenge(client, marketer, segment={"minLevel": 2})
    error = await client.error(JOIN, {"id": challenge["id"]}, newcomer.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "FORBIDDEN", "OUTSIDE_SEGMENT")
    await client.execute(JOIN, {"id": challenge["id"]}, regular.token)


async def test_progress_feeds_the_challenge_leaderboard(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    game = await create_game(client, marketer, freePlaysPerDay=5)
    challenge = await create_challenge(client, marketer, action="PLAY_GAME", topic=None,
                                       target=5)
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    for key in ("a", "b"):
        await play(client, alice, game["id"], key)
    await container.relay.drain()
    data = await client.execute("""query($c: ID!) { leaderboard(kind: CHALLENGE, challengeId: $c)
      { edges { node { rank score user { displayName } } } } }""", {"c": challenge["id"]})
    assert [e["node"] for e in data["leaderboard"]["edges"]] == [
        {"rank": 1, "score": 2, "user": {"displayName": "Alice"}}]


async def test_a_quiz_answered_twice_at_once_is_scored_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    game = await create_game(client, marketer, kind="QUIZ", questions=[
        {"prompt": "2 + 2?", "options": ["4", "5"], "correct": [0]}],
        prizes=[{"name": "10 points", "minScore": 1, "points": 10}])
    responses = await asyncio.gather(*[client.post(ANSWER, {"input": {
        "gameId": game["id"], "answers": [[0]], "idempotencyKey": f"k{i}"}}, alice.token)
        for i in range(5)])
    bodies = [r.json() for r in responses]
    assert sum(1 for b in bodies if "errors" not in b) == 1
    assert {b["errors"][0]["extensions"]["reason"] for b in bodies if "errors" in b} == {
        "ALREADY_ANSWERED"}
    assert (await campaign_counts(container))["quizzes"] == 1

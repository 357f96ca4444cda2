"""What community actions earn, end to end: the mutation's reward, the ledger, the board,
and moderation taking it back."""

from __future__ import annotations

import asyncio

from tests.api.community_support import BLOCK, MODERATE, create_comment, create_post, react
from tests.support import GraphQLClient

ME = "{ me { points lifetimePoints level { number name } } }"
BOARD = """{ leaderboard(kind: ALL_TIME, first: 10) { edges { node { rank score user { id } } } } }"""
HISTORY = "{ pointsHistory(first: 20) { edges { node { delta reason } } } }"
POST_REWARD = """mutation($input: CreatePostInput!) { createPost(input: $input) {
  post { id } reward { points notes levelUp { number } badges { id } } } }"""
REACT_REWARD = """mutation($input: ReactInput!) { react(input: $input) { reward { points } } }"""


async def _me(client: GraphQLClient, member) -> dict:
    return (await client.execute(ME, token=member.token))["me"]


async def _board(client: GraphQLClient, container, expected: dict[str, int]) -> dict[str, int]:
    """The ALL_TIME board once it shows `expected` (top pages are cached for
    `leaderboard_top_cache_seconds`), or what it shows after 3 s."""
    await container.relay.drain()
    for _ in range(30):
        edges = (await client.execute(BOARD))["leaderboard"]["edges"]
        board = {e["node"]["user"]["id"]: e["node"]["score"] for e in edges}
        if board == expected:
            break
        await asyncio.sleep(0.1)
    return board


async def test_a_post_pays_its_author_in_the_same_answer(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute("""mutation { createBadge(input: {name: "First Post",
        criterion: FIRST_POST, bronze: 1}) { badge { id } } }""", token=marketer.token)
    alice = await client.register("Alice")
    result = (await client.execute(POST_REWARD, {"input": {"body": "Morning run",
                                                           "topics": ["running"]}},
                                   alice.token))["createPost"]
    assert result["reward"]["points"] == 10
    assert result["reward"]["badges"], "the first post earns the first-post badge"
    assert (await _me(client, alice))["points"] == 10
    assert await _board(client, container, {alice.id: 10}) == {alice.id: 10}


async def test_the_daily_cap_pays_nothing_and_says_so(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute("""mutation { setPointRule(input: {action: POST_CREATED, points: 7,
        dailyCap: 2}) { rule { action } } }""", token=marketer.token)
    alice = await client.register("Alice")
    paid = []
    for n in range(3):
        result = (await client.execute(POST_REWARD, {"input": {"body": f"run number {n}"}},
                                       alice.token))["createPost"]["reward"]
        paid.append(result["points"])
    assert paid == [7, 7, 0]
    assert result["notes"], "the capped post tells the member why it paid nothing"


async def test_concurrent_reactions_never_pay_past_the_daily_cap(client: GraphQLClient,
                                                                 container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute("""mutation { setPointRule(input: {action: REACTION_RECEIVED,
        points: 2, dailyCap: 3, oncePerTarget: true}) { rule { action } } }""",
                         token=marketer.token)
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Sunrise at the lake")
    fans = [await client.register(f"Fan {n}") for n in range(12)]
    before = (await _me(client, alice))["points"]
    await asyncio.gather(*(react(client, fan, post["id"]) for fan in fans))
    assert (await _me(client, alice))["points"] == before + 3 * 2
    history = (await client.execute(HISTORY, token=alice.token))["pointsHistory"]["edges"]
    assert [e["node"]["reason"] for e in history].count("REACTION_RECEIVED") == 3


async def test_reactions_pay_the_owner_but_not_for_own_or_blocked(client: GraphQLClient) -> None:
    alice, bob, carol = [await client.register(n) for n in ("Alice", "Bob", "Carol")]
    post = await create_post(client, alice, "Look at this")
    before = (await _me(client, alice))["points"]
    await react(client, bob, post["id"])
    await react(client, alice, post["id"])  # own content: nothing
    await client.execute(BLOCK, {"input": {"userId": carol.id}}, alice.token)
    await react(client, carol, post["id"])  # blocked by the owner: nothing
    assert (await _me(client, alice))["points"] == before + 1
    # Changing the kind is not a new reaction; unreact/react cannot farm points.
    await react(client, bob, post["id"], "LOVE")
    assert (await _me(client, alice))["points"] == before + 1


async def test_removal_reverses_and_restore_recredits(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    bob = await client.register("Bob")
    moderator = await client.member_with_roles(container, "MODERATOR")
    post = await create_post(client, alice, "A post that earns")
    await create_comment(client, bob, post["id"], "nice one")
    await react(client, bob, post["id"])
    earned = (await _me(client, alice))["points"]
    assert earned == 11

    await client.execute(MODERATE, {"input": {"targetId": post["id"], "action": "REMOVE",
                                              "note": "spam"}}, moderator.token)
    assert (await _me(client, alice))["points"] == 0
    assert (await _me(client, alice))["lifetimePoints"] == 0
    assert await _board(client, container, {alice.id: 0, bob.id: 3}) == {alice.id: 0, bob.id: 3}
    reasons = [e["node"]["reason"] for e in
               (await client.execute(HISTORY, token=alice.token))["pointsHistory"]["edges"]]
    assert len(reasons) >= 3

    await client.execute(MODERATE, {"input": {"targetId": post["id"], "action": "RESTORE",
                                              "note": "appeal"}}, moderator.token)
    assert (await _me(client, alice))["points"] == earned
    assert await _board(client, container, {alice.id: earned, bob.id: 3}) == {
        alice.id: earned, bob.id: 3}


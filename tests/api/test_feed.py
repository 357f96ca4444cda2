"""The personalized feed: ranking for the caller, diversity, sessions, paging, opt-out."""

from __future__ import annotations

import asyncio

from tests.api.community_support import BLOCK, FOLLOW, create_post, react
from tests.support import GraphQLClient, recorded_statements

FEED = """query($first: Int, $after: String) { feed(first: $first, after: $after) {
  edges { cursor node { id topics feedReason author { id } } }
  pageInfo { hasNextPage endCursor } } }"""
PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }"""


async def feed(client: GraphQLClient, member, first: int = 4, after: str | None = None) -> dict:
    data = await client.execute(FEED, {"first": first, "after": after}, member.token)
    return data["feed"]


def topics_of(page: dict) -> list[str]:
    return [e["node"]["topics"][0] for e in page["edges"]]


async def community(client: GraphQLClient, authors: int = 10) -> list:
    """`authors` members, each with one post about running and one about cooking."""
    members = await asyncio.gather(*[client.register(f"Author {i}") for i in range(authors)])
    for member in members:
        await create_post(client, member, "Long run today", topics=["running"])
        await create_post(client, member, "Slow-cooked stew", topics=["cooking"])
    return list(members)


async def test_reacting_to_three_running_posts_brings_more_running(client: GraphQLClient) -> None:
    await community(client)
    alice = await client.register("Alice")
    control = await client.register("Control")
    first = await feed(client, alice)
    control_first = await feed(client, control)
    assert topics_of(first) == topics_of(control_first)  # nothing personal to go on yet
    running = [e["node"]["id"] for e in first["edges"] if e["node"]["topics"] == ["running"]]
    more = await feed(client, alice, 20, first["pageInfo"]["endCursor"])
    running += [e["node"]["id"] for e in more["edges"] if e["node"]["topics"] == ["running"]]
    for post_id in running[:3]:
        await react(client, alice, post_id)

    # A new page ranks what is left: Alice's is all running, the control's is a mix.
    alice_next = await feed(client, alice, 4)
    control_next = await feed(client, control, 4, control_first["pageInfo"]["endCursor"])
    assert topics_of(alice_next).count("running") > topics_of(control_next).count("running")
    assert set(topics_of(alice_next)) == {"running"}
    assert {e["node"]["feedReason"] for e in alice_next["edges"]} == {"Because you like #running"}


async def test_followed_members_and_topics_come_first_with_their_reason(client: GraphQLClient) -> None:
    authors = await community(client, 4)
    alice = await client.register("Alice")
    await client.execute(FOLLOW, {"input": {"userId": authors[0].id}}, alice.token)
    await client.execute(FOLLOW, {"input": {"topic": "cooking"}}, alice.token)
    page = await feed(client, alice, 6)
    reasons = [(e["node"]["author"]["id"], e["node"]["feedReason"]) for e in page["edges"]]
    assert reasons[:2] == [(authors[0].id, "From someone you follow")] * 2
    assert [r for _, r in reasons[2:5]] == ["You follow #cooking"] * 3


async def test_pages_never_repeat_and_hold_two_posts_of_an_author_at_most(
        client: GraphQLClient) -> None:
    prolific = await client.register("Prolific")
    for i in range(5):
        await create_post(client, prolific, f"Post {i}", topics=["running"])
    others = await community(client, 6)
    assert others
    alice = await client.register("Alice")
    seen: list[str] = []
    after = None
    while True:
        page = await feed(client, alice, 5, after)
        authors = [e["node"]["author"]["id"] for e in page["edges"]]
        assert authors.count(prolific.id) <= 2
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 17  # every post once, none twice

    # A pull to refresh after everything was served starts a new session.
    again = await feed(client, alice, 5)
    assert len(again["edges"]) == 5


async def test_a_cursor_replays_its_page(client: GraphQLClient) -> None:
    await community(client, 6)
    alice = await client.register("Alice")
    first = await feed(client, alice)
    cursor = first["pageInfo"]["endCursor"]
    second = await feed(client, alice, 4, cursor)
    assert await feed(client, alice, 4, cursor) == second  # a retry gets the same page
    ids = {e["node"]["id"] for e in first["edges"]}
    assert not ids & {e["node"]["id"] for e in second["edges"]}
    error = await client.error(FEED, {"first": 4, "after": "bm9wZQ"}, alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(FEED, {"first": 101}, alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_blocked_members_and_own_posts_stay_out(client: GraphQLClient) -> None:
    authors = await community(client, 3)
    alice = await client.register("Alice")
    await create_post(client, alice, "Mine", topics=["running"])
    await client.execute(BLOCK, {"input": {"userId": authors[1].id}}, alice.token)
    await client.execute(BLOCK, {"input": {"userId": alice.id}}, authors[2].token)
    page = await feed(client, alice, 20)
    assert {e["node"]["author"]["id"] for e in page["edges"]} == {authors[0].id}


async def test_opting_out_gives_latest_and_hot_only(client: GraphQLClient) -> None:
    authors = await community(client, 5)
    alice = await client.register("Alice")
    await client.execute(FOLLOW, {"input": {"userId": authors[0].id}}, alice.token)
    await client.execute(PROFILE, {"input": {"interests": ["cooking"],
                                             "personalizationOptOut": True}}, alice.token)
    page = await feed(client, alice, 6)
    assert {e["node"]["feedReason"] for e in page["edges"]} == {"New in the community"}
    # Newest first: the last author's two posts open the feed.
    assert [e["node"]["author"]["id"] for e in page["edges"][:2]] == [authors[4].id] * 2


async def test_a_feed_page_of_twenty_costs_a_fixed_number_of_round_trips(
        client: GraphQLClient, container) -> None:
    await community(client, 12)
    alice = await client.register("Alice")
    await container.relay.drain()
    queries: list[str] = []
    pool = container.read_pool

    class CountingPool:
        async def fetch(self, sql, *args):  # type: ignore[no-untyped-def]
            queries.append(sql)
            return await pool.fetch(sql, *args)

    page = """{ feed(first: 20) { edges { node { id body feedReason viewerReaction
      author { displayName } media { url } } } } }"""
    container.read_pool = CountingPool()
    try:
        with recorded_statements(container, lambda s: "outbox" not in s) as statements:
            data = await client.execute(page, token=alice.token)
    finally:
        container.read_pool = pool
    queries += statements
    assert len(data["feed"]["edges"]) == 20
    # ranking, authors, media, viewer reactions: one statement each, whatever the page size
    assert len(queries) <= 4, queries

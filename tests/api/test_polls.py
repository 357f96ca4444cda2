"""Polls: one vote per member, exact counts under concurrency, closing, bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from api.container import Container
from api.relay import decode_id, to_global_id
from tests.api.campaign_support import campaign_counts, iso, members, now
from tests.support import GraphQLClient

CREATE = """mutation($input: CreatePollInput!) { createPoll(input: $input) {
  poll { id question isOpen results { id label votes share } } } }"""
VOTE = """mutation($poll: ID!, $option: ID!) { vote(input: {pollId: $poll, optionId: $option}) {
  poll { voteCount myVote results { label votes share } } reward { points } } }"""


async def _poll(client: GraphQLClient, marketer, **overrides) -> dict:
    values = {"question": "Next colourway?", "options": ["Volt", "Black", "Sand"], **overrides}
    return (await client.execute(CREATE, {"input": values}, marketer.token))["createPoll"]["poll"]


async def test_a_member_votes_once_and_sees_the_results(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    poll = await _poll(client, marketer)
    volt = poll["results"][0]["id"]
    data = await client.execute(VOTE, {"poll": poll["id"], "option": volt}, alice.token)
    assert data["vote"]["poll"]["myVote"] == volt
    assert data["vote"]["poll"]["results"][0] == {"label": "Volt", "votes": 1, "share": 1.0}
    error = await client.error(VOTE, {"poll": poll["id"], "option": poll["results"][1]["id"]},
                               alice.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "ALREADY_VOTED")
    assert (await campaign_counts(container))["votes"] == 1


async def test_concurrent_votes_are_counted_exactly(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    voters = await members(container, 40)
    poll = await _poll(client, marketer)
    options = [o["id"] for o in poll["results"]]
    # every voter twice at once, on different options: exactly one of each pair counts
    responses = await asyncio.gather(*[
        client.post(VOTE, {"poll": poll["id"], "option": options[(i + k) % 3]}, v.token)
        for i, v in enumerate(voters) for k in (0, 1)])
    accepted = [r.json() for r in responses if "errors" not in r.json()]
    assert len(accepted) == 40
    data = await client.execute("query($id: ID!) { poll(id: $id) { voteCount "
                                "results { votes } } }", {"id": poll["id"]})
    assert data["poll"]["voteCount"] == 40
    assert (await campaign_counts(container))["votes"] == 40


async def test_a_closed_poll_and_a_foreign_option_are_refused(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    one, other = await _poll(client, marketer), await _poll(client, marketer)
    error = await client.error(VOTE, {"poll": one["id"], "option": other["results"][0]["id"]},
                               alice.token)
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "BAD_USER_INPUT", "optionId")
    error = await client.error(CREATE, {"input": {
        "question": "?", "options": ["a", "b"], "closesAt": iso(now() - timedelta(hours=1))}},
        marketer.token)
    assert error["extensions"]["field"] == "closesAt"
    error = await client.error(CREATE, {"input": {"question": "?", "options": ["only one"]}},
                               marketer.token)
    assert error["extensions"]["field"] == "options"
    assert (await campaign_counts(container))["votes"] == 0


async def test_a_closed_poll_refuses_votes(client: GraphQLClient, container: Container) -> None:
    import asyncio

    from gamification.campaigns.polls import PollDraft
    from rally.db import utcnow

    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    poll = await container.campaigns.polls.create(decode_id(marketer.id, "User"), PollDraft(
        question="Quick one?", options=["Yes", "No"],
        closes_at=utcnow() + timedelta(seconds=0.5)))
    await asyncio.sleep(0.6)
    data = await client.execute("query($id: ID!) { poll(id: $id) { isOpen results { id } } }",
                                {"id": to_global_id("Poll", poll.id)})
    assert data["poll"]["isOpen"] is False
    error = await client.error(VOTE, {"poll": to_global_id("Poll", poll.id),
                                      "option": data["poll"]["results"][0]["id"]}, alice.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "POLL_CLOSED")


async def test_a_poll_is_attached_only_to_a_post_that_exists(
        client: GraphQLClient, container: Container) -> None:
    from tests.api.community_support import create_post

    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Which colourway should come back?")
    gone = await create_post(client, alice, "Deleted before the poll")
    await client.execute("mutation($id: ID!) { deletePost(input: {postId: $id}) { post { id } } }",
                         {"id": gone["id"]}, alice.token)
    unknown = to_global_id("Post", decode_id(post["id"], "Post") + 10_000)
    for post_id, code in ((unknown, "NOT_FOUND"), (gone["id"], "NOT_FOUND"),
                          (alice.id, "BAD_USER_INPUT"), ("not an id", "BAD_USER_INPUT")):
        error = await client.error(CREATE, {"input": {
            "question": "?", "options": ["a", "b"], "postId": post_id}}, marketer.token)
        assert error["extensions"]["code"] == code, (post_id, error)
    assert (await campaign_counts(container))["polls"] == 0
    poll = await _poll(client, marketer, postId=post["id"])
    data = await client.execute("query($post: ID!) { polls(postId: $post) { edges { node {"
                                " id postId } } } }", {"post": post["id"]})
    assert data["polls"]["edges"] == [{"node": {"id": poll["id"], "postId": post["id"]}}]

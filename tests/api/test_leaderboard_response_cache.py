"""Whole-response cache of viewer-independent leaderboard queries (api/response_cache.py):
equal to the uncached answer, as fresh as the board, never shared across viewers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from graphql import parse
from sqlalchemy import text

from api.response_cache import ResponseCache, is_public
from api.schema import schema
from gamification.rules import BoardKind, period_of
from tests.gamification_support import give, member, players, settle

TOP = """query Top($kind: LeaderboardKind!) { leaderboard(kind: $kind, first: 10) {
  totalCount live periodStart
  edges { cursor node { rank score user { id displayName } } }
  pageInfo { hasNextPage endCursor } } }"""


def _responses(client) -> ResponseCache:
    """The response cache of the app behind the test client."""
    app = client.http._transport.app
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql"
                 and hasattr(r.endpoint, "__self__"))
    return route.endpoint.__self__.responses


async def test_a_cached_answer_equals_the_uncached_one_and_follows_the_board(container, client):
    seeded = await players(client, container, {"Ann": 50, "Ben": 30, "Cat": 10})
    cache = _responses(client)
    first = await client.post(TOP, {"kind": "ALL_TIME"})
    second = await client.post(TOP, {"kind": "ALL_TIME"})
    assert cache.hits == 1
    assert second.content == first.content and second.status_code == first.status_code == 200
    assert second.headers["content-type"] == first.headers["content-type"]
    # The same fields beside a viewer-dependent one are executed, and agree.
    mixed = await client.execute(TOP.replace("{ leaderboard", "{ me { id } leaderboard"),
                                 {"kind": "ALL_TIME"})
    assert mixed["leaderboard"]["edges"] == first.json()["data"]["leaderboard"]["edges"]
    # A score change shows on the next request: no waiting for a lifetime to pass.
    await give(container, seeded["Cat"][1], 100, "jump")
    await settle(container)
    moved = (await client.execute(TOP, {"kind": "ALL_TIME"}))["leaderboard"]
    assert [(e["node"]["rank"], e["node"]["score"], e["node"]["user"]["displayName"])
            for e in moved["edges"]] == [(1, 110, "Cat"), (2, 50, "Ann"), (3, 30, "Ben")]
    assert cache.hits == 1
    # Other variables are another answer.
    weekly = (await client.execute(TOP, {"kind": "WEEKLY"}))["leaderboard"]
    assert weekly["live"] and weekly["periodStart"] is not None and cache.hits == 1
    assert (await client.execute(TOP, {"kind": "ALL_TIME"}))["leaderboard"] == moved
    assert cache.hits == 2


async def test_identical_requests_arriving_together_are_computed_once(container, client):
    await players(client, container, {"Ann": 50, "Ben": 30})
    cache = _responses(client)
    responses = await asyncio.gather(*(client.post(TOP, {"kind": "ALL_TIME"})
                                       for _ in range(10)))
    assert {r.content for r in responses} == {responses[0].content}
    assert responses[0].json()["data"]["leaderboard"]["totalCount"] == 2
    # One request computed the page; the others waited for it rather than all completing it.
    assert cache.hits >= 5


async def test_viewer_dependent_answers_are_never_shared(container, client):
    seeded = await players(client, container, {f"P{i}": 100 - i for i in range(14)})
    ann, ben = seeded["P0"][0], seeded["P13"][0]
    cache = _responses(client)
    with_email = "{ leaderboard(kind: ALL_TIME) { edges { node { user { displayName email } } } } }"
    for _ in range(2):
        seen_by_ann = (await client.execute(with_email, token=ann.token))["leaderboard"]["edges"]
        seen_by_ben = (await client.execute(with_email, token=ben.token))["leaderboard"]["edges"]
        assert [e["node"]["user"]["email"] for e in seen_by_ann] == [ann.email] + [None] * 13
        assert [e["node"]["user"]["email"] for e in seen_by_ben] == [None] * 13 + [ben.email]
    around = """query($me: Boolean!) { leaderboard(kind: ALL_TIME, aroundMe: $me) {
                  edges { node { rank user { displayName } } } } }"""
    literal = "{ leaderboard(kind: ALL_TIME, aroundMe: true) { totalCount edges { node { rank } } } }"
    for _ in range(2):
        assert (await client.execute(around, {"me": True}, ann.token)) != (
            await client.execute(around, {"me": True}, ben.token))
        await client.execute(literal, token=ann.token)
    assert cache.hits == 0
    # Refusals still happen per request, whatever was answered before.
    anonymous = await client.error(around, {"me": True})
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.error(literal))["extensions"]["code"] == "UNAUTHENTICATED"
    history = ("{ leaderboard(kind: ALL_TIME) { totalCount } "
               "pointsHistory { edges { node { delta } } } }")
    assert (await client.error(history))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.error(history))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_errors_and_past_periods_are_not_stored(container, client):
    _, ann_id = await member(client, "Ann")
    cache = _responses(client)
    last_week = period_of(BoardKind.WEEKLY, container.leaderboards.today() - timedelta(days=7))
    async with container.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO period_points (kind, period_start, member_id, score) "
            "VALUES ('WEEKLY', :s, :m, 40)"), {"s": last_week.start, "m": ann_id})
    past = """query($p: Date) { leaderboard(kind: WEEKLY, period: $p) {
                live edges { node { score } } } }"""
    for _ in range(2):
        board = (await client.execute(past, {"p": str(last_week.start)}))["leaderboard"]
        assert not board["live"] and board["edges"][0]["node"]["score"] == 40
    unknown = "{ leaderboard(kind: CHALLENGE, challengeId: \"Q2hhbGxlbmdlOjk5\") { totalCount } }"
    for _ in range(2):
        assert (await client.error(unknown))["extensions"]["code"] in ("NOT_FOUND",
                                                                      "BAD_USER_INPUT")
    assert cache.hits == 0


@pytest.mark.parametrize(("document", "public"), [
    ("{ leaderboard(kind: ALL_TIME, first: 100) { edges { node { rank score user { id "
     "displayName avatarUrl __typename } } } } }", True),
    ("query($k: LeaderboardKind!) { board: leaderboard(kind: $k, aroundMe: false) { "
     "...Page pageInfo { endCursor } } } fragment Page on LeaderboardConnection { totalCount "
     "edges { ... on LeaderboardEdge { cursor } } }", True),
    ("{ leaderboard(kind: ALL_TIME, aroundMe: true) { totalCount } }", False),
    ("query($a: Boolean!) { leaderboard(kind: ALL_TIME, aroundMe: $a) { totalCount } }", False),
    ("{ leaderboard(kind: ALL_TIME) { edges { node { user { email } } } } }", False),
    ("{ leaderboard(kind: ALL_TIME) { edges { node { user { ...U } } } } } "
     "fragment U on User { displayName status }", False),
    ("{ leaderboard(kind: ALL_TIME) { edges { node { user { points rank(board: WEEKLY) } } } } }",
     False),
    ("{ leaderboard(kind: ALL_TIME) { totalCount } me { id } }", False),
    ("{ pointRules { points } }", False),
    ("mutation { checkIn(input: {idempotencyKey: \"k\"}) { streak } }", False),
])
def test_only_viewer_independent_documents_are_public(document: str, public: bool) -> None:
    parsed = parse(document)
    operation = parsed.definitions[0]
    fragments = {d.name.value: d for d in parsed.definitions[1:]}
    assert is_public(schema._schema, operation, fragments) is public

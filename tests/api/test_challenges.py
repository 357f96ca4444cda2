"""Challenges: configuration, joining, progress from the community's events, payouts, board."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from api.container import Container
from api.relay import decode_id
from domain.events import (
    CommentCreated,
    ContentRemoved,
    PostApproved,
    PostCreated,
    ReactionAdded,
    ReactionRemoved,
)
from tests.api.campaign_support import (
    CHALLENGE,
    CREATE_CHALLENGE,
    JOIN,
    campaign_counts,
    challenge_input,
    create_challenge,
    iso,
    members,
    now,
    publish,
)
from tests.api.coupon_support import create_campaign, my_coupons
from tests.support import GraphQLClient, Member


def pk(member: Member) -> int:
    return decode_id(member.id, "User")


def post(member: Member, post_id: int, *topics: str, status: str = "PUBLISHED") -> PostCreated:
    return PostCreated(post_id=post_id, author_id=pk(member), topics=list(topics), status=status)


async def test_progress_counts_qualifying_posts_after_joining_and_completion_pays_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign = await create_campaign(client, marketer)
    challenge = await create_challenge(client, marketer,
                                       rewards={"couponCampaignId": campaign})
    await publish(container, post(alice, 1, "running"))  # before joining: not counted
    joined = await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    assert joined["joinChallenge"]["progress"] == {"progress": 0, "target": 2,
                                                   "completed": False}
    await publish(container, post(alice, 2, "cooking"))  # wrong topic
    reward = await publish(container, post(alice, 3, "Running"))
    assert [(a.progress, a.completed) for a in reward.challenge_progress] == [(1, False)]
    await publish(container, post(alice, 3, "running"))  # the same post again: once
    pending = await publish(container, post(alice, 4, "running", status="PENDING"))
    assert pending.challenge_progress == []  # counts once approved
    reward = await publish(container, PostApproved(post_id=4, author_id=pk(alice),
                                                   topics=["running"]))
    assert [(a.progress, a.completed) for a in reward.challenge_progress] == [(2, True)]
    assert len(reward.coupons) == 1
    await publish(container, post(alice, 5, "running"))  # completed: nothing more
    data = await client.execute(CHALLENGE, {"id": challenge["id"]}, alice.token)
    assert data["challenge"]["myProgress"]["progress"] == 2
    assert data["challenge"]["myProgress"]["completed"] is True
    assert len(await my_coupons(client, alice)) == 1


async def test_reactions_received_count_once_and_a_removed_one_is_taken_back(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob, carol = [await client.register(n) for n in ("Alice", "Bob", "Carol")]
    challenge = await create_challenge(client, marketer, action="REACTIONS_RECEIVED",
                                       topic=None, target=5)
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)

    def reaction(by: Member, **extra: object) -> ReactionAdded:
        return ReactionAdded(target_type="POST", target_id=9, owner_id=pk(alice),
                             member_id=pk(by), kind="LIKE", **extra)  # type: ignore[arg-type]

    await publish(container, reaction(bob), reaction(carol), reaction(bob, replaced=True),
                  reaction(alice))  # own reaction: nothing
    await publish(container, ReactionRemoved(target_type="POST", target_id=9,
                                             owner_id=pk(alice), member_id=pk(carol),
                                             kind="LIKE"))
    data = await client.execute(CHALLENGE, {"id": challenge["id"]}, alice.token)
    assert data["challenge"]["myProgress"]["progress"] == 1


async def test_removed_content_no_longer_counts(client: GraphQLClient,
                                                container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    challenge = await create_challenge(client, marketer, action="COMMENT", topic=None, target=3)
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    for comment_id in (1, 2):
        await publish(container, CommentCreated(comment_id=comment_id, post_id=1,
                                                author_id=pk(alice), post_author_id=1))
    await publish(container, ContentRemoved(target_type="COMMENT", target_id=2,
                                            owner_id=pk(alice)))
    data = await client.execute(CHALLENGE, {"id": challenge["id"]}, alice.token)
    assert data["challenge"]["myProgress"]["progress"] == 1


async def test_joining_is_refused_before_the_start_after_the_end_twice_and_when_full(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    upcoming = await create_challenge(client, marketer, startsAt=iso(now() + timedelta(days=1)),
                                      endsAt=iso(now() + timedelta(days=2)))
    error = await client.error(JOIN, {"id": upcoming["id"]}, alice.token)
    assert error["extensions"]["reason"] == "CHALLENGE_UPCOMING"
    capped = await create_challenge(client, marketer, participantCap=1)
    await client.execute(JOIN, {"id": capped["id"]}, alice.token)
    error = await client.error(JOIN, {"id": capped["id"]}, alice.token)
    assert error["extensions"]["reason"] == "ALREADY_JOINED"
    error = await client.error(JOIN, {"id": capped["id"]}, bob.token)
    assert error["extensions"]["reason"] == "CHALLENGE_FULL"
    await client.execute("mutation($id: ID!) { endChallenge(challengeId: $id) { challenge { "
                         "status } } }", {"id": capped["id"]}, marketer.token)
    ended = await client.execute(CHALLENGE, {"id": capped["id"]}, alice.token)
    assert ended["challenge"]["status"] == "ENDED"
    error = await client.error(JOIN, {"id": capped["id"]}, bob.token)
    assert error["extensions"]["reason"] == "CHALLENGE_ENDED"
    assert (await campaign_counts(container))["participants"] == 1


async def test_a_participant_cap_holds_when_many_join_at_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 30)
    challenge = await create_challenge(client, marketer, participantCap=10)
    responses = await asyncio.gather(*[
        client.post(JOIN, {"id": challenge["id"]}, m.token) for m in crowd])
    joined = [r.json() for r in responses if "errors" not in r.json()]
    assert len(joined) == 10
    data = await client.execute(CHALLENGE, {"id": challenge["id"]}, crowd[0].token)
    assert data["challenge"]["participantCount"] == 10
    assert (await campaign_counts(container))["participants"] == 10


async def test_the_leaderboard_ranks_progress_then_who_got_there_first(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob, carol = [await client.register(n) for n in ("Alice", "Bob", "Carol")]
    challenge = await create_challenge(client, marketer, target=10)
    for member in (alice, bob, carol):
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
    await publish(container, post(bob, 1, "running"))
    await publish(container, post(alice, 2, "running"))
    await publish(container, post(carol, 3, "running"), post(carol, 4, "running"))
    data = await client.execute(CHALLENGE, {"id": challenge["id"]}, alice.token)
    board = [(e["node"]["rank"], e["node"]["user"]["displayName"], e["node"]["progress"])
             for e in data["challenge"]["leaderboard"]["edges"]]
    assert board == [(1, "Carol", 2), (2, "Bob", 1), (3, "Alice", 1)]


async def test_terms_are_frozen_once_started_but_the_title_is_not(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    running = await create_challenge(client, marketer)
    update = """mutation($input: UpdateChallengeInput!) { updateChallenge(input: $input) {
      challenge { title target } } }"""
    error = await client.error(update, {"input": {"challengeId": running["id"], "target": 9}},
                               marketer.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "CHALLENGE_STARTED")
    renamed = await client.execute(update, {"input": {"challengeId": running["id"],
                                                      "title": "Run club, week 2"}},
                                   marketer.token)
    assert renamed["updateChallenge"]["challenge"] == {"title": "Run club, week 2", "target": 2}
    later = await create_challenge(client, marketer, startsAt=iso(now() + timedelta(days=1)),
                                   endsAt=iso(now() + timedelta(days=3)))
    moved = await client.execute(update, {"input": {"challengeId": later["id"], "target": 9}},
                                 marketer.token)
    assert moved["updateChallenge"]["challenge"]["target"] == 9


async def test_challenges_are_listed_by_status(client: GraphQLClient,
                                               container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    active = await create_challenge(client, marketer, title="Active")
    await create_challenge(client, marketer, title="Upcoming",
                           startsAt=iso(now() + timedelta(days=1)),
                           endsAt=iso(now() + timedelta(days=2)))
    query = """query($s: ChallengeStatus) { challenges(status: $s) { edges { node { title } } } }"""
    for status, titles in (("ACTIVE", ["Active"]), ("UPCOMING", ["Upcoming"]), ("ENDED", [])):
        data = await client.execute(query, {"s": status})
        assert [e["node"]["title"] for e in data["challenges"]["edges"]] == titles
    assert active["status"] == "ACTIVE"


async def test_the_report_counts_participation_and_withholds_small_daily_groups(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 6)
    challenge = await create_challenge(client, marketer, target=1)
    for member in crowd:
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
    await publish(container, *[post(m, i, "running") for i, m in enumerate(crowd[:2])])
    data = await client.execute("""query($id: ID!) { challengeReport(challengeId: $id) {
      participants completions completionRate qualifyingPosts pointsPaid couponsIssued
      daily { joined active completed } } }""", {"id": challenge["id"]}, marketer.token)
    report = data["challengeReport"]
    assert (report["participants"], report["completions"], report["qualifyingPosts"]) == (6, 2, 2)
    assert report["completionRate"] == 2 / 6
    assert report["daily"] == [{"joined": 6, "active": None, "completed": None}]
    csv_text = (await client.execute("query($id: ID!) { challengeReportCsv(challengeId: $id) }",
                                     {"id": challenge["id"]}, marketer.token))["challengeReportCsv"]
    figures, daily = csv_text.split("\n\n")
    assert "participants,6\ncompletions,2\n" in figures
    assert daily.splitlines()[:2] == ["daily", "day,joined,active,completed"]
    assert daily.splitlines()[2].endswith(",6,,")  # withheld groups stay empty cells
    error = await client.error("query($id: ID!) { challengeReportCsv(challengeId: $id) }",
                               {"id": challenge["id"]}, crowd[0].token)
    assert error["extensions"]["code"] == "FORBIDDEN"


_BAD_CHALLENGES = [
    ({"target": 0}, "target"),
    ({"topic": None}, "topic"),
    ({"action": "COMMENT"}, "topic"),
    ({"endsAt": iso(now() - timedelta(days=1))}, "endsAt"),
    ({"rewards": {"points": -1}}, "rewards.points"),
    ({"segmentId": "U2VnbWVudDox"}, "segmentId"),
    ({"coverUrl": "javascript:alert(1)"}, "coverUrl"),
]


async def test_bad_challenges_are_refused_and_nothing_is_written(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    before = await campaign_counts(container)
    for overrides, field in _BAD_CHALLENGES:
        error = await client.error(CREATE_CHALLENGE, {"input": challenge_input(**overrides)},
                                   marketer.token)
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "BAD_USER_INPUT", field), overrides
    error = await client.error(CREATE_CHALLENGE, {"input": challenge_input(rewards={
        "couponCampaignId": "Q291cG9uQ2FtcGFpZ246OTk5"})}, marketer.token)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await campaign_counts(container) == before


async def test_the_leaderboard_pages_with_cursors_and_refuses_huge_pages(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 5)
    challenge = await create_challenge(client, marketer, target=10)
    for i, member in enumerate(crowd):
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
        await publish(container, *[post(member, 100 * i + k, "running") for k in range(i)])
    board = """query($id: ID!, $after: String, $first: Int) { challenge(id: $id) {
      leaderboard(first: $first, after: $after) { edges { cursor node { rank progress } }
      pageInfo { hasNextPage endCursor } } } }"""
    first = (await client.execute(board, {"id": challenge["id"], "first": 2}))
    page = first["challenge"]["leaderboard"]
    assert [e["node"] for e in page["edges"]] == [{"rank": 1, "progress": 4},
                                                  {"rank": 2, "progress": 3}]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await client.execute(board, {"id": challenge["id"], "first": 10,
                                        "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["rank"] for e in rest["challenge"]["leaderboard"]["edges"]] == [3, 4, 5]
    error = await client.error(board, {"id": challenge["id"], "first": 101})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    from api.relay import encode_cursor

    error = await client.error(board, {"id": challenge["id"], "after": encode_cursor("x")})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_report_reads_rollups_kept_with_each_action_and_the_backfill_agrees(
        client: GraphQLClient, container: Container) -> None:
    from sqlalchemy import text

    from gamification.campaigns.challenge_report import challenge_rollups_backfill

    marketer = await client.member_with_roles(container, "MARKETER")
    crowd = await members(container, 6)
    challenge = await create_challenge(client, marketer, target=2,
                                       rewards={"points": 15})
    for member in crowd:
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
    # Everyone posts once (6 active), five post twice (5 complete), one post is removed.
    await publish(container, *[post(m, 100 + i, "running") for i, m in enumerate(crowd)])
    await publish(container, *[post(m, 200 + i, "running") for i, m in enumerate(crowd[:5])])
    await publish(container, ContentRemoved(target_type="POST", target_id=100 + 5,
                                            owner_id=pk(crowd[5])))
    query = """query($id: ID!) { challengeReport(challengeId: $id) { participants completions
      qualifyingActions qualifyingPosts pointsPaid daily { joined active completed } } }"""
    report = (await client.execute(query, {"id": challenge["id"]},
                                   marketer.token))["challengeReport"]
    assert report == {"participants": 6, "completions": 5, "qualifyingActions": 10,
                      "qualifyingPosts": 10, "pointsPaid": 75,
                      "daily": [{"joined": 6, "active": 5, "completed": 5}]}

    async def rollups() -> list[list[tuple]]:
        async with container.uow() as uow:
            return [[tuple(r) for r in await uow.session.execute(text(sql))] for sql in (
                "SELECT challenge_id, day, member_id, actions, posts FROM challenge_member_days"
                " WHERE actions > 0 ORDER BY 1, 2, 3",
                "SELECT challenge_id, day, metric, value FROM challenge_day_counts"
                " ORDER BY 1, 2, 3")]

    maintained = await rollups()
    async with container.uow() as uow:
        for statement in challenge_rollups_backfill(container.settings.timezone):
            await uow.session.execute(text(statement))
        await uow.commit()
    assert await rollups() == maintained

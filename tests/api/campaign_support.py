"""Shared steps of the campaign tests: games, challenges, polls, members in bulk."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from api.container import Container
from tests.support import PASSWORD, GraphQLClient, Member

_bulk = itertools.count(1)

CREATE_GAME = """mutation($input: CreateMiniGameInput!) { createMiniGame(input: $input) {
  game { id kind title costPoints freePlaysPerDay active questions { prompt options }
         prizes { id name probability stock remainingStock points couponCampaignId minScore
                  isNoPrize } } } }"""
PLAY = """mutation($input: PlayMiniGameInput!) { playMiniGame(input: $input) {
  outcome { prize { id name points } score reward { points coupons { id code source } } } } }"""
ANSWER = """mutation($input: AnswerQuizInput!) { answerQuiz(input: $input) {
  outcome { prize { id name } score reward { points coupons { id source } } } } }"""
GAME = """query($id: ID!) { miniGame(id: $id) { id active
  prizes { name probability stock remainingStock } } }"""


def iso(moment: datetime) -> str:
    return moment.isoformat()


def now() -> datetime:
    return datetime.now(UTC)


def game_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "WHEEL", "title": "Spin to win", "freePlaysPerDay": 1, "costPoints": 0,
        "startsAt": iso(now() - timedelta(hours=1)), "endsAt": iso(now() + timedelta(days=1)),
        "prizes": [{"name": "Nothing this time", "weight": 1}],
    }
    values.update(overrides)
    return values


async def create_game(client: GraphQLClient, marketer: Member, **overrides: Any
                      ) -> dict[str, Any]:
    data = await client.execute(CREATE_GAME, {"input": game_input(**overrides)}, marketer.token)
    return data["createMiniGame"]["game"]


async def play(client: GraphQLClient, member: Member, game_id: str, key: str
               ) -> dict[str, Any]:
    response = await client.post(PLAY, {"input": {"gameId": game_id, "idempotencyKey": key}},
                                 member.token)
    return response.json()


async def members(container: Container, count: int) -> list[Member]:
    """Many members at once, registered through the service (faster than one by one)."""
    async def one() -> Member:
        n = next(_bulk)
        email = f"bulk{n}@example.com"
        session = await container.members.register(email, PASSWORD, f"Bulk {n}")
        from api.relay import to_global_id

        return Member(to_global_id("User", session.member.id), email, session.access_token,
                      session.refresh_token)

    created: list[Member] = []
    for start in range(0, count, 50):
        created.extend(await asyncio.gather(*[one() for _ in range(min(50, count - start))]))
    return created


async def scalar(container: Container, sql: str, **params: Any) -> Any:
    async with container.engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def campaign_counts(container: Container) -> dict[str, Any]:
    """Everything a campaign refusal must leave untouched."""
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT (SELECT count(*) FROM mini_games) AS games,"
            " (SELECT count(*) FROM mini_game_prizes) AS prizes,"
            " (SELECT count(*) FROM mini_game_plays) AS plays,"
            " (SELECT coalesce(sum(remaining), 0) FROM mini_game_prize_stock) AS stock,"
            " (SELECT count(*) FROM quiz_submissions) AS quizzes,"
            " (SELECT count(*) FROM challenges) AS challenges,"
            " (SELECT count(*) FROM challenge_participants) AS participants,"
            " (SELECT count(*) FROM polls) AS polls,"
            " (SELECT count(*) FROM poll_votes) AS votes,"
            " (SELECT count(*) FROM reward_items) AS items,"
            " (SELECT count(*) FROM reward_redemptions) AS redemptions,"
            " (SELECT count(*) FROM coupons) AS coupons,"
            " (SELECT coalesce(sum(issued), 0) FROM coupon_quota_shards) AS issued"))).one()
    return dict(row._mapping)


CREATE_CHALLENGE = """mutation($input: CreateChallengeInput!) { createChallenge(input: $input) {
  challenge { id title action topic target status participantCount participantCap
              rewards { points couponCampaignId } } } }"""
JOIN = """mutation($id: ID!) { joinChallenge(input: {challengeId: $id}) {
  challenge { participantCount } progress { progress target completed } } }"""
CHALLENGE = """query($id: ID!) { challenge(id: $id) { id status participantCount
  myProgress { progress target completed completedAt }
  leaderboard(first: 10) { edges { node { rank progress user { displayName } } } } } }"""


def challenge_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Run club week", "action": "POST_WITH_TOPIC", "topic": "running", "target": 2,
        "startsAt": iso(now() - timedelta(hours=1)), "endsAt": iso(now() + timedelta(days=7)),
    }
    values.update(overrides)
    return values


async def create_challenge(client: GraphQLClient, marketer: Member, **overrides: Any
                           ) -> dict[str, Any]:
    data = await client.execute(CREATE_CHALLENGE, {"input": challenge_input(**overrides)},
                                marketer.token)
    return data["createChallenge"]["challenge"]


async def publish(container: Container, *events: Any) -> Any:
    """What the community does when a member acts: publish in the acting unit of work."""
    async with container.uow() as uow:
        for event in events:
            await uow.publish(event)
        await uow.commit()
    return uow.reward


async def give_points(container: Container, member: Member, points: int) -> None:
    """Points earned elsewhere (as a check-in or a post would pay them), via the ledger."""
    from api.relay import decode_id
    from gamification import ledger

    member_id = decode_id(member.id, "User")
    async with container.uow() as uow:
        await ledger.award(uow, member_id, points, "ADJUSTMENT", ledger.Source("TEST", 1),
                           f"test-points:{member_id}:{next(_bulk)}")
        await uow.commit()


async def balance(container: Container, member: Member) -> int:
    from api.relay import decode_id

    return int(await scalar(container, "SELECT coalesce((SELECT balance FROM member_points"
                                       " WHERE member_id = :m), 0)",
                            m=decode_id(member.id, "User")))

"""`leaderboardChanged(kind, challengeId)`: the top of a board, pushed at most once a second."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from api.gamification.enums import BoardKindEnum
from api.gamification.types import LeaderboardUpdate, entries_with_users
from api.realtime.streams import Stream, register
from api.relay import decode_id, to_global_id
from domain.members.credentials import AccessClaims
from gamification.events import ChallengeScoreChanged, PointsChanged
from gamification.leaderboard import touched_boards
from gamification.rules import BoardKind
from rally.errors import InvalidInput

if TYPE_CHECKING:
    from api.container import Container


@register
class LeaderboardChanged(Stream):
    field = "leaderboardChanged"
    topics = (PointsChanged.topic, ChallengeScoreChanged.topic)
    public = True
    throttle_seconds = 1.0

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        kind = BoardKind(args["kind"])
        challenge = args.get("challengeId")
        if kind is BoardKind.CHALLENGE:
            if challenge is None:
                raise InvalidInput("a CHALLENGE board needs challengeId", field="challengeId")
            return (kind.value, decode_id(challenge, "Challenge"))
        if challenge is not None:
            raise InvalidInput("challengeId is only for CHALLENGE boards", field="challengeId")
        return (kind.value, None)

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        topic = (ChallengeScoreChanged.topic if "challenge_id" in payload
                 else PointsChanged.topic)
        return touched_boards(topic, payload)

    async def load(self, container: Container, payload: dict[str, Any]) -> Any | None:
        return None  # the board depends on the key: see load_for_keys

    async def load_for_keys(self, container: Container, payload: dict[str, Any],
                            keys: list[Hashable]) -> LeaderboardUpdate | None:
        from api.context import Context  # the context imports the container, which imports us

        if not keys:
            return None
        key = keys[0]
        assert isinstance(key, tuple)
        kind: str = key[0]
        challenge_id: int | None = key[1]
        # Read the board as it is now: the projector ran before the publisher.
        view = await container.leaderboards.read(
            BoardKind(kind), challenge_id=challenge_id, period=None, offset=0,
            count=container.settings.leaderboard_realtime_top, around_member=None)
        return LeaderboardUpdate(
            kind=view.kind,
            challenge_id=strawberry.ID(to_global_id("Challenge", challenge_id))
            if challenge_id is not None else None,
            entries=await entries_with_users(Context(container, None), view.entries))


@strawberry.type
class GamificationSubscriptions:
    @strawberry.subscription(description=(
        "The top entries of a board whenever it changes, at most once a second; public. "
        "Served by the realtime hub over WebSocket (api/realtime)."))
    async def leaderboard_changed(self, info: Info, kind: BoardKindEnum,  # type: ignore[valid-type]
                                  challenge_id: strawberry.ID | None = None
                                  ) -> AsyncGenerator[LeaderboardUpdate, None]:
        raise InvalidInput("subscribe over WebSocket on /graphql")
        yield  # pragma: no cover  (makes this an async generator)

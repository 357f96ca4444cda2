"""`challengeProgress(challengeId)`: the caller's progress in one challenge, pushed live."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.types import Info

from api.campaigns.challenges import ChallengeProgress
from api.realtime.streams import Stream, register
from api.relay import decode_id
from domain.members.credentials import AccessClaims
from gamification.campaigns.events import ChallengeProgressed
from rally.errors import InvalidInput

if TYPE_CHECKING:
    from api.container import Container

_PROGRESS = (
    "SELECT p.challenge_id, p.member_id, p.progress, p.joined_at, p.completed_at, c.target"
    " FROM challenge_participants p JOIN challenges c ON c.id = p.challenge_id"
    " WHERE p.challenge_id = $1 AND p.member_id = $2")


@register
class ChallengeProgressStream(Stream):
    field = "challengeProgress"
    topics = (ChallengeProgressed.topic,)
    per_viewer = True

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        assert viewer is not None  # not public: the server refused anonymous callers
        return (viewer.member_id, decode_id(args["challengeId"], "Challenge"))

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        return ((payload["member_id"], payload["challenge_id"]),)

    async def load(self, container: Container, payload: dict[str, Any]
                   ) -> ChallengeProgress | None:
        # The row as it is now: a burst of events pushes the latest progress.
        rows = await container.fetch(_PROGRESS, payload["challenge_id"], payload["member_id"])
        return ChallengeProgress.from_row(SimpleNamespace(**rows[0])) if rows else None

    def visible(self, viewer: AccessClaims | None, obj: ChallengeProgress) -> bool:
        return viewer is not None and obj.member_id == viewer.member_id

    def dedupe_key(self, obj: ChallengeProgress) -> Hashable:
        return (obj.challenge_id, obj.progress, obj.completed)


@strawberry.type
class ChallengeSubscriptions:
    @strawberry.subscription(description=(
        "The caller's progress in one challenge as it moves. Served by the realtime hub over "
        "WebSocket (api/realtime)."))
    async def challenge_progress(self, info: Info, challenge_id: strawberry.ID
                                 ) -> AsyncGenerator[ChallengeProgress, None]:
        raise InvalidInput("subscribe over WebSocket on /graphql")
        yield  # pragma: no cover  (makes this an async generator)

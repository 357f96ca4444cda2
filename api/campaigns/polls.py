"""Polls over GraphQL: create (MARKETER), vote once, live results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.permissions import Authenticated, requires
from api.relay import Connection, Node, decode_id, node_type, page_request, to_global_id
from api.rewards import Reward
from domain.members.models import Role
from gamification.campaigns.polls import PollDraft
from rally.db import utcnow
from rally.errors import NotFound

MARKETERS = requires(Role.MARKETER)


@strawberry.type
class PollOption:
    id: strawberry.ID
    label: str
    votes: int
    share: float = strawberry.field(description="votes / all votes, 0 before any vote.")


@strawberry.type
class Poll(Node):
    id: strawberry.ID
    question: str
    post_id: strawberry.ID | None = strawberry.field(description="The post it is attached to.")
    closes_at: datetime | None
    points_for_vote: int
    created_at: datetime
    pk: strawberry.Private[int]

    @strawberry.field
    def is_open(self) -> bool:
        return self.closes_at is None or utcnow() < self.closes_at

    @strawberry.field(description="Each option with its exact count so far.")
    async def results(self, info: Info) -> list[PollOption]:
        rows = await info.context.loaders.load("poll_options_by_poll", self.pk)
        total = sum(r.votes for r in rows)
        return [PollOption(id=strawberry.ID(to_global_id("PollOption", r.id)), label=r.label,
                           votes=r.votes, share=r.votes / total if total else 0.0) for r in rows]

    @strawberry.field(description="Total votes.")
    async def vote_count(self, info: Info) -> int:
        return sum(r.votes for r in await info.context.loaders.load("poll_options_by_poll",
                                                                    self.pk))

    @strawberry.field(description="The option the caller chose; null if he has not voted.")
    async def my_vote(self, info: Info) -> strawberry.ID | None:
        viewer = info.context.viewer_id
        if viewer is None:
            return None
        option = await info.context.loaders.load("my_poll_vote", (self.pk, viewer))
        return strawberry.ID(to_global_id("PollOption", option)) if option else None

    @classmethod
    def from_row(cls, row: Any) -> Poll:
        return cls(id=strawberry.ID(to_global_id("Poll", row.id)), pk=row.id,
                   question=row.question, closes_at=row.closes_at,
                   points_for_vote=row.points_for_vote, created_at=row.created_at,
                   post_id=strawberry.ID(to_global_id("Post", row.post_id))
                   if row.post_id is not None else None)


@node_type("Poll")
async def load_poll(context: Any, pk: int) -> Poll | None:
    try:
        return Poll.from_row(await context.services.campaigns.polls.poll(pk))
    except NotFound:
        return None


@strawberry.input
class CreatePollInput:
    question: str
    options: list[str]
    post_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "Attach it to a post; standalone when null."))
    closes_at: datetime | None = None
    points_for_vote: int = 0


@strawberry.input
class VoteInput:
    poll_id: strawberry.ID
    option_id: strawberry.ID


@strawberry.type
class PollPayload:
    poll: Poll


@strawberry.type
class VotePayload:
    poll: Poll
    reward: Reward


@strawberry.type
class PollQueries:
    @strawberry.field(description="Newest first; those of one post when postId is given.")
    async def polls(self, info: Info, post_id: strawberry.ID | None = None,
                    first: int | None = None, after: str | None = None) -> Connection[Poll]:
        page = await info.context.services.campaigns.polls.polls(
            decode_id(post_id, "Post") if post_id else None,
            page_request(info.context, first, after))
        return Connection.from_page(page, Poll.from_row, lambda p: (p.id,))

    @strawberry.field
    async def poll(self, info: Info, id: strawberry.ID) -> Poll:
        return Poll.from_row(await info.context.services.campaigns.polls.poll(
            decode_id(id, "Poll")))


@strawberry.type
class PollMutations:
    @strawberry.mutation(permission_classes=[MARKETERS])
    async def create_poll(self, info: Info, input: CreatePollInput) -> PollPayload:
        ctx = info.context
        poll = await ctx.services.campaigns.polls.create(ctx.require_member().member_id, PollDraft(
            question=input.question, options=input.options, closes_at=input.closes_at,
            points_for_vote=input.points_for_vote,
            post_id=decode_id(input.post_id, "Post") if input.post_id else None))
        return PollPayload(poll=Poll.from_row(poll))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Once per member (a second vote is CONFLICT)."))
    async def vote(self, info: Info, input: VoteInput) -> VotePayload:
        ctx = info.context
        polls = ctx.services.campaigns.polls
        poll_id = decode_id(input.poll_id, "Poll")
        reward = await polls.vote(ctx.require_member().member_id, poll_id,
                                  decode_id(input.option_id, "PollOption"))
        return VotePayload(poll=Poll.from_row(await polls.poll(poll_id)),
                           reward=Reward.from_domain(reward))

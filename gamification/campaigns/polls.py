"""Polls: standalone or attached to a post, one vote per member, exact live counts.

A vote is its row (primary key poll + member: a second vote is refused by PostgreSQL) and
one increment of the option's counter in the same transaction, so the counts always equal
the votes, whatever the concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from domain.pagination import Page, PageRequest, keyset_page
from gamification.campaigns import rules
from gamification.campaigns.models import Poll, PollOption, PollVote
from gamification.campaigns.points import award_points
from rally.errors import Conflict, InvalidInput, NotFound
from rally.reward import Reward
from rally.uow import UnitOfWorkFactory

_COUNT_VOTE = text("UPDATE poll_options SET votes = votes + 1 WHERE id = :id")
# The post a poll is attached to must exist and not be removed. FOR KEY SHARE keeps it from
# being hard-deleted (account erasure) between this check and the commit; soft removal
# (status REMOVED) afterwards is the community's business, as for any post.
_ATTACHABLE_POST = text("SELECT status FROM posts WHERE id = :id FOR KEY SHARE")


@dataclass(frozen=True)
class PollDraft:
    question: str
    options: list[str]
    post_id: int | None = None
    closes_at: datetime | None = None
    points_for_vote: int = 0


class PollService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        s = uow_factory.settings
        self._max_options = s.poll_max_options
        self._max_points = s.campaign_max_points

    async def create(self, actor_id: int, draft: PollDraft) -> Poll:
        question = rules.long_text(draft.question, "question")
        if not question or len(question) > 300:
            raise InvalidInput("a question has 1 to 300 characters", field="question")
        options = [rules.title(o, "options") for o in draft.options]
        if not 2 <= len(options) <= self._max_options:
            raise InvalidInput(f"a poll has 2 to {self._max_options} options", field="options")
        if len(set(options)) != len(options):
            raise InvalidInput("each option must be different", field="options")
        rules.not_negative(draft.points_for_vote, "pointsForVote", self._max_points)
        async with self._uow_factory() as uow:
            if draft.closes_at is not None and draft.closes_at <= await uow.now():
                raise InvalidInput("a poll closes in the future", field="closesAt")
            if draft.post_id is not None:
                status = (await uow.session.execute(
                    _ATTACHABLE_POST, {"id": draft.post_id})).scalar()
                if status is None or status == "REMOVED":
                    raise NotFound("no such post to attach the poll to", field="postId")
            poll = Poll(question=question, post_id=draft.post_id, closes_at=draft.closes_at,
                        points_for_vote=draft.points_for_vote, created_by=actor_id)
            uow.session.add(poll)
            await uow.session.flush()
            await uow.session.execute(insert(PollOption), [
                {"poll_id": poll.id, "position": i, "label": label, "votes": 0}
                for i, label in enumerate(options)])
            await uow.commit()
        return poll

    async def vote(self, member_id: int, poll_id: int, option_id: int) -> Reward:
        async with self._uow_factory() as uow:
            poll = await uow.session.get(Poll, poll_id)
            if poll is None:
                raise NotFound("no such poll", field="pollId")
            if poll.closes_at is not None and poll.closes_at <= await uow.now():
                raise Conflict("this poll is closed", reason="POLL_CLOSED")
            option = await uow.session.scalar(select(PollOption.id).where(
                PollOption.id == option_id, PollOption.poll_id == poll_id))
            if option is None:
                raise InvalidInput("this option is not one of the poll's", field="optionId")
            voted = (await uow.session.execute(pg_insert(PollVote).values(
                poll_id=poll_id, member_id=member_id, option_id=option_id)
                .on_conflict_do_nothing().returning(PollVote.member_id))).first()
            if voted is None:
                raise Conflict("you already voted in this poll", reason="ALREADY_VOTED")
            await award_points(uow, member_id, poll.points_for_vote, "POLL_VOTE",
                               ("POLL", poll_id), f"poll:{poll_id}:{member_id}")
            await uow.session.execute(_COUNT_VOTE, {"id": option_id})  # the hot row, last
            await uow.commit()
        return uow.reward

    async def poll(self, poll_id: int) -> Poll:
        async with self._uow_factory() as uow:
            poll = await uow.session.get(Poll, poll_id)
        if poll is None:
            raise NotFound("no such poll", field="pollId")
        return poll

    async def polls(self, post_id: int | None, page: PageRequest) -> Page[Poll]:
        query = select(Poll)
        if post_id is not None:
            query = query.where(Poll.post_id == post_id)
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, query, Poll.id, page)

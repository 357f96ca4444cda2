"""Shares with the sharer's referral code, follows of members and topics, blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, text
from sqlalchemy.dialects.postgresql import insert as upsert

from domain.community import rules
from domain.community.counters import add_share
from domain.community.models import Block, MemberFollow, Share, TargetType, TopicFollow
from domain.community.targets import get_target, is_live
from domain.events import MemberFollowed, PostShared
from domain.members.models import Member, MemberStatus
from rally.errors import InvalidInput, NotFound
from rally.reward import Reward
from rally.uow import UnitOfWork, UnitOfWorkFactory

_CHANNEL = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class ShareResult:
    share_id: int
    share_url: str
    referral_code: str
    reward: Reward


class SocialService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._settings = uow_factory.settings

    # --- shares ------------------------------------------------------------------------

    async def share(self, member_id: int, post_id: int, channel: str) -> ShareResult:
        channel = channel.strip().upper()
        if not _CHANNEL.match(channel):
            raise InvalidInput("channel is 1 to 32 letters, digits, `_`, `.` or `-`",
                               field="channel")
        async with self._uow_factory() as uow:
            post = await get_target(uow, TargetType.POST, post_id)
            if not is_live(post):
                raise NotFound("post not found")
            code = await uow.session.scalar(select(Member.referral_code).where(Member.id == member_id))
            assert code is not None  # every member gets one at registration
            share_id = (await uow.session.execute(insert(Share).values(
                post_id=post_id, member_id=member_id, channel=channel, referral_code=code,
                code_owner_id=member_id).returning(Share.id))).scalar_one()
            await add_share(uow, post_id)
            await uow.publish(PostShared(share_id=share_id, post_id=post_id, member_id=member_id,
                                         channel=channel, referral_code=code))
            await uow.commit()
        url = f"{self._settings.share_url_base.rstrip('/')}/{post_id}?ref={code}"
        return ShareResult(share_id, url, code, uow.reward)

    # --- follows -----------------------------------------------------------------------

    async def follow_member(self, follower_id: int, followee_id: int) -> bool:
        """True when this call started the follow (False: already following)."""
        if follower_id == followee_id:
            raise InvalidInput("you cannot follow yourself", field="userId")
        async with self._uow_factory() as uow:
            await _existing_member(uow, followee_id)
            if await uow.session.scalar(text(
                    "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = :b AND blocked_id = :a)"),
                    {"a": follower_id, "b": followee_id}):
                raise NotFound("member not found")
            started = (await uow.session.execute(
                upsert(MemberFollow).values(follower_id=follower_id, followee_id=followee_id)
                .on_conflict_do_nothing().returning(MemberFollow.follower_id))).first() is not None
            if started:
                await uow.publish(MemberFollowed(follower_id=follower_id, followee_id=followee_id))
            await uow.commit()
        return started

    async def unfollow_member(self, follower_id: int, followee_id: int) -> None:
        async with self._uow_factory() as uow:
            await uow.session.execute(delete(MemberFollow).where(
                MemberFollow.follower_id == follower_id, MemberFollow.followee_id == followee_id))
            await uow.commit()

    async def follow_topic(self, member_id: int, topic: str) -> str:
        name = rules.normalize_topic(topic, self._settings.topic_max_chars)
        async with self._uow_factory() as uow:
            await uow.session.execute(upsert(TopicFollow).values(member_id=member_id, topic=name)
                                      .on_conflict_do_nothing())
            await uow.commit()
        return name

    async def unfollow_topic(self, member_id: int, topic: str) -> str:
        name = rules.normalize_topic(topic, self._settings.topic_max_chars)
        async with self._uow_factory() as uow:
            await uow.session.execute(delete(TopicFollow).where(
                TopicFollow.member_id == member_id, TopicFollow.topic == name))
            await uow.commit()
        return name

    async def followed(self, member_id: int) -> tuple[list[int], list[str]]:
        """Members and topics `member_id` follows (for the feed)."""
        async with self._uow_factory() as uow:
            members = (await uow.session.scalars(select(MemberFollow.followee_id).where(
                MemberFollow.follower_id == member_id))).all()
            topics = (await uow.session.scalars(select(TopicFollow.topic).where(
                TopicFollow.member_id == member_id))).all()
        return list(members), list(topics)

    # --- blocks ------------------------------------------------------------------------

    async def block(self, blocker_id: int, blocked_id: int) -> None:
        if blocker_id == blocked_id:
            raise InvalidInput("you cannot block yourself", field="userId")
        async with self._uow_factory() as uow:
            await _existing_member(uow, blocked_id)
            await uow.session.execute(upsert(Block).values(blocker_id=blocker_id,
                                                           blocked_id=blocked_id)
                                      .on_conflict_do_nothing())
            # A block ends following in both directions.
            await uow.session.execute(delete(MemberFollow).where(
                ((MemberFollow.follower_id == blocker_id) & (MemberFollow.followee_id == blocked_id))
                | ((MemberFollow.follower_id == blocked_id) & (MemberFollow.followee_id == blocker_id))))
            await uow.commit()

    async def unblock(self, blocker_id: int, blocked_id: int) -> None:
        async with self._uow_factory() as uow:
            await uow.session.execute(delete(Block).where(Block.blocker_id == blocker_id,
                                                          Block.blocked_id == blocked_id))
            await uow.commit()


async def _existing_member(uow: UnitOfWork, member_id: int) -> None:
    status = await uow.session.scalar(select(Member.status).where(Member.id == member_id))
    if status is None or status == MemberStatus.DELETED:
        raise NotFound("member not found")

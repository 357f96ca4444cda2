"""Notifications the community owes: replies, comments, mentions, reactions, new followers.

They run in the transaction of the action. A member who blocked the actor hears nothing of
him (the notification's insert checks it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from domain.events import CommentCreated, MemberFollowed, PostApproved, PostCreated, ReactionAdded
from domain.notifications.service import NotificationKind, notify
from rally.events import bus
from rally.uow import UnitOfWork


async def _tell(uow: UnitOfWork, member_id: int, actor_id: int, **fields: Any) -> None:
    if member_id != actor_id:
        await notify(uow, member_id=member_id, actor_id=actor_id, unless_blocked=True, **fields)


async def _mentions(uow: UnitOfWork, post_id: int, author_id: int, mention_ids: list[int]) -> None:
    for member_id in mention_ids:
        await _tell(uow, member_id, author_id, kind=NotificationKind.MENTION,
                    subject_type="Post", subject_id=post_id, data={})


@bus.subscribe(PostCreated)
async def tell_mentioned_members(uow: UnitOfWork, event: PostCreated) -> None:
    if event.status == "PUBLISHED":
        await _mentions(uow, event.post_id, event.author_id, list(event.mention_ids))


@bus.subscribe(PostApproved)
async def tell_mentioned_members_on_approval(uow: UnitOfWork, event: PostApproved) -> None:


    mentions = await uow.session.scalar(text("SELECT mention_ids FROM posts WHERE id = :id"),
                                        {"id": event.post_id})
    await _mentions(uow, event.post_id, event.author_id, list(mentions or []))


@bus.subscribe(CommentCreated)
async def tell_post_author_and_parent_author(uow: UnitOfWork, event: CommentCreated) -> None:
    if event.status != "PUBLISHED":
        return
    data = {"postId": event.post_id}
    if event.parent_id is not None:
        from sqlalchemy import text

        parent_author = await uow.session.scalar(
            text("SELECT author_id FROM comments WHERE id = :id"), {"id": event.parent_id})
        await _tell(uow, parent_author, event.author_id, kind=NotificationKind.REPLY,
                    subject_type="Comment", subject_id=event.comment_id, data=data)
        if parent_author == event.post_author_id:
            return
    await _tell(uow, event.post_author_id, event.author_id, kind=NotificationKind.COMMENT,
                subject_type="Comment", subject_id=event.comment_id, data=data)


@bus.subscribe(ReactionAdded)
async def tell_owner_of_reaction(uow: UnitOfWork, event: ReactionAdded) -> None:
    if event.replaced or event.reactor_blocked_by_owner:
        return
    subject = "Post" if event.target_type == "POST" else "Comment"
    # One unread aggregate per target: "Bob and 12 others reacted to your post".
    await _tell(uow, event.owner_id, event.member_id, kind=NotificationKind.REACTION,
                subject_type=subject, subject_id=event.target_id, data={"kind": event.kind},
                group_key=f"reaction:{event.target_type}:{event.target_id}")


@bus.subscribe(MemberFollowed)
async def tell_member_of_new_follower(uow: UnitOfWork, event: MemberFollowed) -> None:
    await _tell(uow, event.followee_id, event.follower_id, kind=NotificationKind.FOLLOW,
                subject_type="User", subject_id=event.follower_id, data={})

"""What the community's events earn. Handlers run inside the acting unit of work, so the
ledger rows, level, badges and gamification's own events commit with the action."""

from __future__ import annotations

from domain.events import (
    CommentCreated,
    ContentRemoved,
    ContentRestored,
    PostApproved,
    PostCreated,
    PostShared,
    ReactionAdded,
    ReactionRemoved,
)
from gamification.earning import (
    earn,
    reaction_keys,
    restore_content,
    reverse_content,
    withdraw_reaction_points,
)
from gamification.ledger import Source, bump_counter
from gamification.rules import Action
from rally.clock import brand_day
from rally.events import bus
from rally.uow import UnitOfWork

PUBLISHED = "PUBLISHED"


async def _post_published(uow: UnitOfWork, post_id: int, author_id: int, actor_id: int) -> None:
    key = f"{Action.POST_CREATED.value}:POST:{post_id}"
    await earn(uow, author_id, Action.POST_CREATED, Source("POST", post_id),
               once_key=key, each_key=key, actor_id=actor_id)
    await bump_counter(uow, author_id, "posts", to_reward=actor_id == author_id)


@bus.subscribe(PostCreated)
async def pay_published_post(uow: UnitOfWork, event: PostCreated) -> None:
    if event.status == PUBLISHED:
        await _post_published(uow, event.post_id, event.author_id, event.author_id)
    else:  # a pending post earns when a moderator approves it
        uow.reward.notes.append("points are paid when the post is approved")


@bus.subscribe(PostApproved)
async def pay_approved_post(uow: UnitOfWork, event: PostApproved) -> None:
    await _post_published(uow, event.post_id, event.author_id, actor_id=-1)


@bus.subscribe(CommentCreated)
async def pay_comment(uow: UnitOfWork, event: CommentCreated) -> None:
    if event.status != PUBLISHED:
        return
    await bump_counter(uow, event.author_id, "comments")
    if event.author_id == event.post_author_id:
        # Talking under one's own post is welcome but would let a member farm points alone.
        uow.reward.notes.append("comments on your own post: 0 points")
        return
    once = f"{Action.COMMENT_CREATED.value}:POST:{event.post_id}:by:{event.author_id}"
    await earn(uow, event.author_id, Action.COMMENT_CREATED, Source("COMMENT", event.comment_id),
               once_key=once, each_key=f"{Action.COMMENT_CREATED.value}:COMMENT:{event.comment_id}",
               actor_id=event.author_id)


@bus.subscribe(ReactionAdded)
async def pay_reaction_received(uow: UnitOfWork, event: ReactionAdded) -> None:
    if event.replaced:
        return
    if event.owner_id == event.member_id:
        uow.reward.notes.append("reactions to your own content: 0 points")
        return
    if event.reactor_blocked_by_owner:
        return  # the reaction stands, silently unpaid
    day = brand_day(await uow.now(), uow.settings.tz).isoformat()
    once, each = reaction_keys(event.target_type, event.target_id, event.member_id, day)
    paid = await earn(uow, event.owner_id, Action.REACTION_RECEIVED,
                      Source(event.target_type, event.target_id), once_key=once, each_key=each,
                      actor_id=event.member_id)
    if paid:
        await bump_counter(uow, event.owner_id, "reactions_received", to_reward=False)


@bus.subscribe(ReactionRemoved)
async def take_back_reaction(uow: UnitOfWork, event: ReactionRemoved) -> None:
    if event.owner_id == event.member_id:
        return
    if await withdraw_reaction_points(uow, event.owner_id, event.target_type, event.target_id,
                                      event.member_id):
        await bump_counter(uow, event.owner_id, "reactions_received", -1, to_reward=False)


@bus.subscribe(PostShared)
async def pay_share(uow: UnitOfWork, event: PostShared) -> None:
    await earn(uow, event.member_id, Action.SHARE, Source("POST", event.post_id),
               once_key=f"{Action.SHARE.value}:POST:{event.post_id}:by:{event.member_id}",
               each_key=f"{Action.SHARE.value}:SHARE:{event.share_id}", actor_id=event.member_id)
    await bump_counter(uow, event.member_id, "shares")


# Referrals (REFERRAL_SIGNUP / REFERRED_SIGNUP) are paid by gamification/campaigns/referrals.py,
# which also records them and refuses accounts sharing a device.


def _case_note(case_id: int | None, reason: str = "") -> str:
    return f"moderation case #{case_id}" if case_id is not None else (reason or "removed")


@bus.subscribe(ContentRemoved)
async def take_back_removed_content(uow: UnitOfWork, event: ContentRemoved) -> None:
    await reverse_content(uow, event.target_type, event.target_id,
                          _case_note(event.case_id, event.reason), actor_id=None)


@bus.subscribe(ContentRestored)
async def give_back_restored_content(uow: UnitOfWork, event: ContentRestored) -> None:
    await restore_content(uow, event.target_type, event.target_id, _case_note(event.case_id),
                          actor_id=None)

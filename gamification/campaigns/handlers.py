"""What campaigns do when members act: challenge progress and referrals, as bus handlers
running inside the acting unit of work (so they commit, or roll back, with the action)."""

from __future__ import annotations

from domain.events import (
    CommentCreated,
    ContentRemoved,
    MemberRegistered,
    PostApproved,
    PostCreated,
    PostShared,
    ReactionAdded,
    ReactionRemoved,
)
from gamification.campaigns.events import MiniGamePlayed
from gamification.campaigns.models import ChallengeAction
from gamification.campaigns.progress import count_action, take_back
from gamification.campaigns.referrals import record_referral
from gamification.events import CheckedIn
from rally.events import bus
from rally.uow import UnitOfWork

PUBLISHED = "PUBLISHED"


@bus.subscribe(PostCreated)
async def post_created(uow: UnitOfWork, event: PostCreated) -> None:
    # A pending post counts once a moderator approves it (PostApproved).
    if event.status == PUBLISHED:
        await count_action(uow, event.author_id, ChallengeAction.POST_WITH_TOPIC,
                           f"POST:{event.post_id}", event.topics)


@bus.subscribe(PostApproved)
async def post_approved(uow: UnitOfWork, event: PostApproved) -> None:
    await count_action(uow, event.author_id, ChallengeAction.POST_WITH_TOPIC,
                       f"POST:{event.post_id}", event.topics)


@bus.subscribe(CommentCreated)
async def comment_created(uow: UnitOfWork, event: CommentCreated) -> None:
    if event.status == PUBLISHED:
        await count_action(uow, event.author_id, ChallengeAction.COMMENT,
                           f"COMMENT:{event.comment_id}")


@bus.subscribe(PostShared)
async def post_shared(uow: UnitOfWork, event: PostShared) -> None:
    # One share per post counts: sharing the same post again is not a new action.
    await count_action(uow, event.member_id, ChallengeAction.SHARE, f"SHARE:{event.post_id}")


def _reaction_subject(event: ReactionAdded | ReactionRemoved) -> str:
    return f"REACTION:{event.target_type}:{event.target_id}:{event.member_id}"


@bus.subscribe(ReactionAdded)
async def reaction_added(uow: UnitOfWork, event: ReactionAdded) -> None:
    if event.replaced or event.reactor_blocked_by_owner or event.member_id == event.owner_id:
        return
    await count_action(uow, event.owner_id, ChallengeAction.REACTIONS_RECEIVED,
                       _reaction_subject(event))


@bus.subscribe(ReactionRemoved)
async def reaction_removed(uow: UnitOfWork, event: ReactionRemoved) -> None:
    await take_back(uow, event.owner_id, _reaction_subject(event))


@bus.subscribe(ContentRemoved)
async def content_removed(uow: UnitOfWork, event: ContentRemoved) -> None:
    await take_back(uow, event.owner_id, f"{event.target_type}:{event.target_id}")


@bus.subscribe(MiniGamePlayed)
async def game_played(uow: UnitOfWork, event: MiniGamePlayed) -> None:
    await count_action(uow, event.member_id, ChallengeAction.PLAY_GAME, f"PLAY:{event.play_id}")


@bus.subscribe(CheckedIn)
async def checked_in(uow: UnitOfWork, event: CheckedIn) -> None:
    await count_action(uow, event.member_id, ChallengeAction.CHECK_IN, f"CHECK_IN:{event.day}")


@bus.subscribe(MemberRegistered)
async def member_registered(uow: UnitOfWork, event: MemberRegistered) -> None:
    await record_referral(uow, event)

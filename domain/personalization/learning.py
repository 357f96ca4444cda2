"""What members do teaches their interests, in the transaction of the action itself.

Each handler turns a community or analytics event into `Signal`s on the topics of the post
concerned; `interests.learn` drops them when the member does not allow personalization.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from domain.events import (
    BehaviourTracked,
    CommentCreated,
    PostShared,
    ReactionAdded,
    ReactionRemoved,
)
from domain.personalization.interests import Signal, learn, unlearn
from rally.events import bus
from rally.uow import UnitOfWork

_POST_TOPICS = text("SELECT id, topics FROM posts WHERE id = ANY(CAST(:ids AS bigint[]))")
_COMMENT_POST = text("SELECT post_id FROM comments WHERE id = :id")


async def _topics(uow: UnitOfWork, post_ids: list[int]) -> dict[int, list[str]]:
    rows = await uow.session.execute(_POST_TOPICS, {"ids": post_ids})
    return {r.id: list(r.topics or []) for r in rows}


async def _learn_from_post(uow: UnitOfWork, member_id: int, post_id: int, score: float) -> None:
    topics = (await _topics(uow, [post_id])).get(post_id)
    if topics:
        await learn(uow, member_id, [Signal(topics, score, await uow.now())])


async def _reacted_topics(uow: UnitOfWork, target_type: str, target_id: int) -> list[str]:
    """The topics a reaction speaks of: its post's, or the post of the comment it is on."""
    post_id = target_id
    if target_type == "COMMENT":
        post_id = await uow.session.scalar(_COMMENT_POST, {"id": target_id})
        if post_id is None:
            return []
    return (await _topics(uow, [post_id])).get(post_id) or []


@bus.subscribe(ReactionAdded)
async def learn_from_reaction(uow: UnitOfWork, event: ReactionAdded) -> None:
    if event.replaced or event.owner_id == event.member_id:
        return
    topics = await _reacted_topics(uow, event.target_type, event.target_id)
    if topics:
        await learn(uow, event.member_id,
                    [Signal(topics, uow.settings.interest_reaction_score, await uow.now())])


@bus.subscribe(ReactionRemoved)
async def unlearn_from_reaction(uow: UnitOfWork, event: ReactionRemoved) -> None:
    """A withdrawn reaction no longer says the member likes those topics: take back what it
    taught (the same conditions as `learn_from_reaction`), decayed since it was made."""
    if event.owner_id == event.member_id or event.reacted_at is None:
        return
    topics = await _reacted_topics(uow, event.target_type, event.target_id)
    if topics:
        await unlearn(uow, event.member_id,
                      Signal(topics, uow.settings.interest_reaction_score, event.reacted_at))


@bus.subscribe(CommentCreated)
async def learn_from_comment(uow: UnitOfWork, event: CommentCreated) -> None:
    if event.author_id != event.post_author_id:
        await _learn_from_post(uow, event.author_id, event.post_id,
                               uow.settings.interest_comment_score)


@bus.subscribe(PostShared)
async def learn_from_share(uow: UnitOfWork, event: PostShared) -> None:
    await _learn_from_post(uow, event.member_id, event.post_id, uow.settings.interest_share_score)


@bus.subscribe(BehaviourTracked)
async def learn_from_tracking(uow: UnitOfWork, event: BehaviourTracked) -> None:
    settings = uow.settings
    topics = await _topics(uow, sorted({int(s["post_id"]) for s in event.signals}))
    signals = []
    for s in event.signals:
        if s["kind"] == "DWELL":
            if int(s["duration_ms"] or 0) < settings.interest_dwell_min_ms:
                continue
            score = settings.interest_dwell_score
        else:
            score = settings.interest_click_score
        post_topics = topics.get(int(s["post_id"]))
        if post_topics:
            at = s["occurred_at"]
            signals.append(Signal(post_topics, score, at if isinstance(at, datetime) else
                                  datetime.fromisoformat(str(at))))
    await learn(uow, event.member_id, signals)

"""The stored HOT score follows every counter move and matches the documented formula."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.community.models import Post, ReactionKind, TargetType
from domain.community.posts import PostDraft
from domain.community.ranking import hot_score


async def test_hot_score_is_maintained_by_reactions_comments_and_shares(container) -> None:
    members = [(await container.members.register(f"h{i}@example.com", "correct horse battery",
                                                 f"Hot{i}")).member.id for i in range(4)]
    post = (await container.posts.create(members[0], PostDraft("Hot take"))).post
    for member in members[1:]:
        await container.reactions.react(member, TargetType.POST, post.id, ReactionKind.LIKE)
    await container.comments.create(members[1], post.id, "agreed")
    await container.social.share(members[2], post.id, "link")
    await container.reactions.unreact(members[3], TargetType.POST, post.id)
    async with container.uow() as uow:
        row = (await uow.session.scalars(select(Post).where(Post.id == post.id))).one()
    assert (row.reaction_count, row.comment_count, row.share_count) == (2, 1, 1)
    expected = hot_score(2, 1, 1, row.created_at.timestamp())
    assert row.hot_score == pytest.approx(expected, abs=1e-9)
    assert row.hot_score > hot_score(0, 0, 0, row.created_at.timestamp())

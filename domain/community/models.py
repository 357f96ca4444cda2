"""Posts, their media and edits, comments, reactions, shares, follows and blocks.

Counters (`reaction_count`, `reaction_counts` per kind, `comment_count`, `share_count`) live on
the target row and move only through `UPDATE … SET n = n + 1`: the row lock serialises
concurrent reactions, so 200 members reacting at once leave exactly 200.
`hot_score` is stored and maintained by the same updates (see `ranking.hot_score_sql`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.members.models import Member
from rally.db import Base, created_at_column


class ContentStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    PENDING = "PENDING"
    HIDDEN = "HIDDEN"
    REMOVED = "REMOVED"


class ReactionKind(StrEnum):
    LIKE = "LIKE"
    LOVE = "LOVE"
    HAHA = "HAHA"
    WOW = "WOW"
    SAD = "SAD"
    ANGRY = "ANGRY"


class MediaKind(StrEnum):
    IMAGE = "IMAGE"
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"


class TargetType(StrEnum):
    POST = "POST"
    COMMENT = "COMMENT"


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(64)),
                                              server_default=text("'{}'::varchar[]"))
    mention_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger),
                                                   server_default=text("'{}'::bigint[]"))
    reaction_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reaction_counts: Mapped[dict[str, Any]] = mapped_column(JSONB,
                                                            server_default=text("'{}'::jsonb"))
    comment_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    share_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    hot_score: Mapped[float] = mapped_column(Double, server_default=text("0"))
    # First time it was published (at creation or approval): a restore of content that never
    # was is an approval, so what it earns is paid once.
    published_at: Mapped[datetime | None]
    # Set when the author deleted it (status REMOVED); moderators still see it.
    deleted_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("reaction_count >= 0 AND comment_count >= 0 AND share_count >= 0",
                        name="counts_not_negative"),
        Index("ix_posts_published_id", "id", postgresql_where=text("status = 'PUBLISHED'")),
        Index("ix_posts_published_hot", "hot_score", "id",
              postgresql_where=text("status = 'PUBLISHED'")),
        Index("ix_posts_author_id", "author_id", "id"),
        Index("ix_posts_topics", "topics", postgresql_using="gin"),
    )


class PostEdit(Base):
    """The body a post had before each edit, for moderators."""

    __tablename__ = "post_edits"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    previous_body: Mapped[str] = mapped_column(Text)
    previous_topics: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    edited_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_post_edits_post_id", "post_id"),)


class Media(Base):
    """An upload a member asked for; usable in one of his posts once the bytes arrived."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    uploaded_at: Mapped[datetime | None]
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_media_post_id", "post_id", "position"),)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    reaction_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reaction_counts: Mapped[dict[str, Any]] = mapped_column(JSONB,
                                                            server_default=text("'{}'::jsonb"))
    reply_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    published_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("ix_comments_post_id", "post_id", "id"),
        Index("ix_comments_parent_id", "parent_id", "id"),
    )


class Reaction(Base):
    """One reaction per member per target; a new kind replaces the old one."""

    __tablename__ = "reactions"

    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        PrimaryKeyConstraint("target_type", "target_id", "member_id"),
        Index("ix_reactions_member_id", "member_id"),
    )


class Share(Base):
    """Who shared which post, where, and whose referral code the link carries."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    referral_code: Mapped[str] = mapped_column(String(16))
    code_owner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_shares_post_id", "post_id"),)


class MemberFollow(Base):
    __tablename__ = "member_follows"

    follower_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    followee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        PrimaryKeyConstraint("follower_id", "followee_id"),
        Index("ix_member_follows_followee_id", "followee_id"),
    )


class TopicFollow(Base):
    __tablename__ = "topic_follows"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (PrimaryKeyConstraint("member_id", "topic"),)


class Block(Base):
    __tablename__ = "blocks"

    blocker_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        PrimaryKeyConstraint("blocker_id", "blocked_id"),
        Index("ix_blocks_blocked_id", "blocked_id"),
    )


# `@mentions` resolve by display name, case-insensitively (declared here: the community needs it).
Index("ix_members_display_name_lower", func.lower(Member.display_name))

"""Events the community announces. Gamification and campaigns subscribe to these; they are
the only way those modules learn what members did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from rally.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MemberRegistered(DomainEvent):
    topic: ClassVar[str] = "member.registered"
    member_id: int
    is_guest: bool
    referral_code: str | None = None
    device_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RolesChanged(DomainEvent):
    topic: ClassVar[str] = "member.roles_changed"
    member_id: int
    roles: list[str]


@dataclass(frozen=True, kw_only=True)
class MemberDeleted(DomainEvent):
    """The member deleted his account: his data is anonymized; boards and caches drop him."""

    topic: ClassVar[str] = "member.deleted"
    member_id: int


@dataclass(frozen=True, kw_only=True)
class PostCreated(DomainEvent):
    topic: ClassVar[str] = "post.created"
    post_id: int
    author_id: int
    topics: list[str]
    status: str
    mention_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PostApproved(DomainEvent):
    """A PENDING post was approved by a moderator: it now counts as published (and earns)."""

    topic: ClassVar[str] = "post.approved"
    post_id: int
    author_id: int
    topics: list[str]
    case_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CommentCreated(DomainEvent):
    topic: ClassVar[str] = "comment.created"
    comment_id: int
    post_id: int
    author_id: int
    post_author_id: int
    parent_id: int | None = None
    status: str = "PUBLISHED"


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(DomainEvent):
    """A member reacted (or changed his reaction kind) to a post or comment."""

    topic: ClassVar[str] = "reaction.added"
    target_type: str  # "POST" | "COMMENT"
    target_id: int
    owner_id: int  # who wrote the target
    member_id: int
    kind: str
    replaced: bool = False  # True when it only changed the kind of an existing reaction
    # The owner blocks the reactor: the reaction stands but earns the owner nothing.
    reactor_blocked_by_owner: bool = False


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(DomainEvent):
    topic: ClassVar[str] = "reaction.removed"
    target_type: str
    target_id: int
    owner_id: int
    member_id: int
    kind: str
    # When the withdrawn reaction was first made: what it taught has decayed since then.
    reacted_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PostShared(DomainEvent):
    topic: ClassVar[str] = "post.shared"
    share_id: int
    post_id: int
    member_id: int
    channel: str
    referral_code: str


@dataclass(frozen=True, kw_only=True)
class ContentRemoved(DomainEvent):
    """Content hidden or removed by moderation or by its author: what it earned is reversed."""

    topic: ClassVar[str] = "content.removed"
    target_type: str
    target_id: int
    owner_id: int
    case_id: int | None = None
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ContentRestored(DomainEvent):
    topic: ClassVar[str] = "content.restored"
    target_type: str
    target_id: int
    owner_id: int
    case_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class InterestsDeclared(DomainEvent):
    """The member set his explicit interests (updateProfile); personalization stores them."""

    topic: ClassVar[str] = "member.interests_declared"
    member_id: int
    tags: list[str]


@dataclass(frozen=True, kw_only=True)
class BehaviourTracked(DomainEvent):
    """trackEvents stored new CLICK / DWELL events on posts (each `{kind, post_id,
    duration_ms, occurred_at}`); personalization learns interests from them."""

    topic: ClassVar[str] = "analytics.behaviour_tracked"
    member_id: int
    signals: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class MemberFollowed(DomainEvent):
    topic: ClassVar[str] = "member.followed"
    follower_id: int
    followee_id: int


@dataclass(frozen=True, kw_only=True)
class ModerationQueueChanged(DomainEvent):
    """A moderation case was opened, grew, or was resolved."""

    topic: ClassVar[str] = "moderation.queue_changed"
    case_id: int
    status: str

"""A member's interests (declared and inferred) and the marketers' audience segments.

An inferred interest keeps a score and the instant it was last scored; its weight now is
`score × 0.5^(age / half-life)` (see `rules.decayed`). Updates fold the decay in, so no job
ever rewrites every row to age them.
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
    PrimaryKeyConstraint,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class InterestSource(StrEnum):
    EXPLICIT = "EXPLICIT"  # the member declared it (updateProfile)
    INFERRED = "INFERRED"  # topics of posts he reacted to, commented, shared, read, clicked


class MemberInterest(Base):
    __tablename__ = "member_interests"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(8))
    tag: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Double)
    scored_at: Mapped[datetime]

    __table_args__ = (
        PrimaryKeyConstraint("member_id", "source", "tag"),
        CheckConstraint("score >= 0", name="score_not_negative"),
        # Segment rules ask "who has this tag"; known-tag checks ask "does anyone".
        Index("ix_member_interests_tag", "tag"),
    )


class Segment(Base):
    """A named audience: members matching every rule (`rules.SegmentRule`, stored as JSON)."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

"""Every table of gamification, imported together for Alembic and for test resets.

PostgreSQL is the truth: `point_entries` is the append-only ledger; `member_points` and
`period_points` are its running sums, moved only in the same statement sequence that appends
an entry (so they never drift, and `rally rebuild-leaderboards` can recompute Redis from them).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column

_ZERO = text("0")


class PointRule(Base):
    """What an action pays; `daily_cap` counts paying actions per brand day."""

    __tablename__ = "point_rules"

    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    # Pays once per (member, target) ever, so unreact/react or re-sharing cannot farm.
    once_per_target: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("points >= 0", "points_not_negative"),
        CheckConstraint("daily_cap IS NULL OR daily_cap >= 0", "daily_cap_not_negative"),
    )


class PointEntry(Base):
    """One change of points. `delta` moves the balance, `earned` the lifetime and the boards
    (a spend has earned = 0; a reversal takes back all it earned, but at most the balance)."""

    __tablename__ = "point_entries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    earned: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(String(200), server_default=text("''"))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The entry this one reverses or re-credits (moderation).
    reverses_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("ix_point_entries_member", "member_id", "id"),
        Index("ix_point_entries_source", "source_type", "source_id"),
        Index("ix_point_entries_reverses", "reverses_id"),
    )


class MemberPoints(Base):
    """A member's balance, lifetime earned, level and the counters badges are judged on."""

    __tablename__ = "member_points"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    balance: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    lifetime: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    level: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    # Bumped with every change; the leaderboard projector ignores older versions.
    version: Mapped[int] = mapped_column(BigInteger, server_default=_ZERO)
    # When the lifetime last grew: of two equal scores the earlier one ranks first.
    reached_at: Mapped[datetime] = created_at_column()
    posts: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    comments: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    reactions_received: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    shares: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    referrals: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    challenges_completed: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    weekly_top10: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    streak: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    best_streak: Mapped[int] = mapped_column(Integer, server_default=_ZERO)
    last_check_in: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("balance >= 0", "balance_not_negative"),
        Index("ix_member_points_lifetime", "lifetime", "reached_at"),
    )


class DailyActionCount(Base):
    """Paying actions per member, action and brand day: the daily cap's race-free counter."""

    __tablename__ = "point_daily_counts"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class PeriodPoints(Base):
    """Points earned per member in one brand week or month. A past period's rows no longer
    change (later reversals count in the period they happen), so they are its snapshot."""

    __tablename__ = "period_points"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # WEEKLY | MONTHLY
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    reached_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_period_points_rank", "kind", "period_start", "score"),)


class ChallengeScore(Base):
    """A member's score on a challenge board, set by the campaigns module."""

    __tablename__ = "challenge_scores"

    challenge_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(BigInteger, server_default=_ZERO)
    reached_at: Mapped[datetime] = created_at_column()


class PeriodClosing(Base):
    """A finished period whose top members were rewarded (once)."""

    __tablename__ = "leaderboard_closings"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    rewarded: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime] = created_at_column()


class CheckIn(Base):
    __tablename__ = "check_ins"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    streak: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class Badge(Base):
    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str] = mapped_column(String(300), server_default=text("''"))
    criterion: Mapped[str] = mapped_column(String(32))
    bronze: Mapped[int] = mapped_column(Integer)
    silver: Mapped[int | None] = mapped_column(Integer)
    gold: Mapped[int | None] = mapped_column(Integer)
    icon_url: Mapped[str | None] = mapped_column(String(2048))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("bronze >= 1", "bronze_positive"),
        CheckConstraint("silver IS NULL OR silver > bronze", "silver_above_bronze"),
        CheckConstraint("gold IS NULL OR (silver IS NOT NULL AND gold > silver)",
                        "gold_above_silver"),
    )


class MemberBadge(Base):
    """One row per tier a member holds: a tier is awarded once."""

    __tablename__ = "member_badges"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    badge_id: Mapped[int] = mapped_column(
        ForeignKey("badges.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(8), primary_key=True)
    awarded_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_member_badges_badge", "badge_id"),)


__all__ = ["Badge", "ChallengeScore", "CheckIn", "DailyActionCount", "MemberBadge",
           "MemberPoints", "PeriodClosing", "PeriodPoints", "PointEntry", "PointRule"]


import gamification.campaigns.models  # noqa: E402,F401  (campaign tables)

"""Tables of campaigns: mini-games and quizzes, challenges, polls, the rewards catalogue,
referrals.

Every limited thing (a prize's stock, a catalogue item's stock, a challenge's seats, a free
play of the day) is a counter moved only by a conditional UPDATE/upsert that PostgreSQL
re-checks on the newest row version, and a CHECK constraint backs it: nothing is oversold
even by a buggy caller.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

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
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class GameKind(StrEnum):
    WHEEL = "WHEEL"
    SCRATCH = "SCRATCH"
    QUIZ = "QUIZ"


class ChallengeAction(StrEnum):
    POST_WITH_TOPIC = "POST_WITH_TOPIC"
    COMMENT = "COMMENT"
    CHECK_IN = "CHECK_IN"
    SHARE = "SHARE"
    PLAY_GAME = "PLAY_GAME"
    REACTIONS_RECEIVED = "REACTIONS_RECEIVED"


def _member_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("members.id", ondelete="CASCADE"))


# --- mini-games -------------------------------------------------------------------------


class MiniGame(Base):
    __tablename__ = "mini_games"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    cost_points: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    free_plays_per_day: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Set by `endMiniGame`: the game stops before its window closes.
    ended_at: Mapped[datetime | None]
    # QUIZ only: [{"prompt", "options": [...], "correct": [indexes]}]; never sent to clients.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("kind IN ('WHEEL', 'SCRATCH', 'QUIZ')", "kind_known"),
        CheckConstraint("cost_points >= 0 AND free_plays_per_day >= 0", "costs_not_negative"),
        CheckConstraint("ends_at > starts_at", "window_ordered"),
    )


class MiniGamePrize(Base):
    """A slot of the prize table; with neither points nor a coupon it is a "no prize" slot.

    `stock` NULL is an unlimited prize; a limited one keeps what is left in its stock shards.
    QUIZ prizes are score tiers (`min_score`).
    """

    __tablename__ = "mini_game_prizes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("mini_games.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    min_score: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    coupon_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("coupon_campaigns.id", ondelete="RESTRICT"))
    stock: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("weight >= 0 AND points >= 0", "weight_points_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", "stock_not_negative"),
        Index("ix_mini_game_prizes_game_id", "game_id", "position", unique=True),
    )


class MiniGamePrizeStock(Base):
    """A limited prize's stock, split over a few rows: concurrent winners take units from
    different shards (SKIP LOCKED) instead of queueing on one hot row."""

    __tablename__ = "mini_game_prize_stock"

    prize_id: Mapped[int] = mapped_column(
        ForeignKey("mini_game_prizes.id", ondelete="CASCADE"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    remaining: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("remaining >= 0", "remaining_not_negative"),)


class MiniGamePlay(Base):
    """One play (or one quiz submission) and what it paid; `prize_id` NULL = no prize."""

    __tablename__ = "mini_game_plays"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("mini_games.id", ondelete="CASCADE"))
    member_id: Mapped[int] = _member_fk()
    prize_id: Mapped[int | None] = mapped_column(
        ForeignKey("mini_game_prizes.id", ondelete="SET NULL"))
    points_won: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    coupon_id: Mapped[int | None] = mapped_column(BigInteger)
    cost_points: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    free: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    score: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    played_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("ix_mini_game_plays_game_id", "game_id", "played_at"),
        Index("ix_mini_game_plays_member_id", "member_id", "id"),
    )


class MiniGameDay(Base):
    """Free plays a member used on one brand day (the counter the daily allowance checks)."""

    __tablename__ = "mini_game_days"

    game_id: Mapped[int] = mapped_column(
        ForeignKey("mini_games.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    free_plays: Mapped[int] = mapped_column(Integer)


class QuizSubmission(Base):
    """A quiz is answered once per member: the primary key is the guard."""

    __tablename__ = "quiz_submissions"

    game_id: Mapped[int] = mapped_column(
        ForeignKey("mini_games.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    play_id: Mapped[int] = mapped_column(ForeignKey("mini_game_plays.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = created_at_column()


# --- challenges -------------------------------------------------------------------------


class Challenge(Base):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    cover_url: Mapped[str | None] = mapped_column(String(2048))
    action: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(64))
    target: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # NULL: the CHALLENGE_COMPLETED point rule pays; a number (0 for none) overrides it.
    reward_points: Mapped[int | None] = mapped_column(Integer)
    reward_badge_id: Mapped[int | None] = mapped_column(BigInteger)
    reward_coupon_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("coupon_campaigns.id", ondelete="RESTRICT"))
    segment_min_level: Mapped[int | None] = mapped_column(Integer)
    segment_interest: Mapped[str | None] = mapped_column(String(64))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="RESTRICT"))
    participant_cap: Mapped[int | None] = mapped_column(Integer)
    participant_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("target >= 1", "target_positive"),
        CheckConstraint("ends_at > starts_at", "window_ordered"),
        CheckConstraint("reward_points IS NULL OR reward_points >= 0", "reward_points_not_negative"),
        CheckConstraint("participant_count >= 0 AND (participant_cap IS NULL"
                        " OR participant_count <= participant_cap)", "seats_within_cap"),
        Index("ix_challenges_window", "starts_at", "ends_at"),
    )


class ChallengeParticipant(Base):
    __tablename__ = "challenge_participants"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    joined_at: Mapped[datetime] = created_at_column()
    # When progress last moved up: the leaderboard's tie-break (who got there first).
    reached_at: Mapped[datetime] = created_at_column()
    completed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("progress >= 0", "progress_not_negative"),
        Index("ix_challenge_participants_board", "challenge_id", "progress", "reached_at"),
        Index("ix_challenge_participants_member_id", "member_id"),
    )


class ChallengeCredit(Base):
    """One qualifying action counted once (a post, a comment, a reaction received…), so a
    replayed or removed action moves progress exactly once."""

    __tablename__ = "challenge_credits"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(96), primary_key=True)
    created_at: Mapped[datetime] = created_at_column()


class ChallengeMemberDay(Base):
    """A participant's qualifying actions in a challenge on a brand day (credits still
    standing), kept with the credit in the same statement: `challengeReport`'s actions, posts
    and daily active members read these rows. One row per member, so no two members' actions
    ever update the same row."""

    __tablename__ = "challenge_member_days"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    actions: Mapped[int] = mapped_column(Integer, default=0)
    posts: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeDayCount(Base):
    """A challenge's joins, completions, points paid and coupons issued per brand day, moved
    when they happen (rare events next to actions; a join already holds the challenge row)."""

    __tablename__ = "challenge_day_counts"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# --- polls ------------------------------------------------------------------------------


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    # The post it is attached to (community area); no foreign key across areas.
    post_id: Mapped[int | None] = mapped_column(BigInteger)
    closes_at: Mapped[datetime | None]
    points_for_vote: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("points_for_vote >= 0", "points_not_negative"),
        Index("ix_polls_post_id", "post_id"),
    )


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(120))
    votes: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (
        CheckConstraint("votes >= 0", "votes_not_negative"),
        Index("ix_poll_options_poll_id", "poll_id", "position", unique=True),
    )


class PollVote(Base):
    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"))
    voted_at: Mapped[datetime] = created_at_column()


# --- rewards catalogue ------------------------------------------------------------------


class RewardItem(Base):
    __tablename__ = "reward_items"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, server_default=text("''"))
    cost_points: Mapped[int] = mapped_column(Integer)
    coupon_campaign_id: Mapped[int] = mapped_column(
        ForeignKey("coupon_campaigns.id", ondelete="RESTRICT"))
    stock: Mapped[int | None] = mapped_column(Integer)
    remaining: Mapped[int | None] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("cost_points >= 1", "cost_positive"),
        CheckConstraint("(stock IS NULL) = (remaining IS NULL)", "stock_has_remaining"),
        CheckConstraint("remaining >= 0 AND remaining <= stock", "remaining_within_stock"),
        CheckConstraint("per_member_limit IS NULL OR per_member_limit >= 1", "limit_positive"),
    )


class RewardRedemption(Base):
    __tablename__ = "reward_redemptions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("reward_items.id", ondelete="CASCADE"))
    member_id: Mapped[int] = _member_fk()
    coupon_id: Mapped[int] = mapped_column(BigInteger)
    cost_points: Mapped[int] = mapped_column(Integer)
    redeemed_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_reward_redemptions_item_member", "item_id", "member_id"),)


class RewardHolding(Base):
    """How many times a member redeemed an item: the per-member limit's counter row."""

    __tablename__ = "reward_holdings"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("reward_items.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    redeemed: Mapped[int] = mapped_column(Integer)


# --- referrals --------------------------------------------------------------------------


class Referral(Base):
    """A member who registered with another's referral code; paid at most once (unique
    referred member), `paid` says whether the rules paid (cap, shared device)."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    referrer_id: Mapped[int] = _member_fk()
    referred_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True)
    day: Mapped[date] = mapped_column(Date)
    paid: Mapped[bool] = mapped_column(Boolean)
    # Why it was not paid: SAME_DEVICE, DAILY_CAP; NULL when paid.
    refusal: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_referrals_referrer_id", "referrer_id", "day"),)

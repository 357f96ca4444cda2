"""Tracked behaviour: raw events (partitioned by month) and the small rollups reports read.

`tracked_events` is declared range-partitioned on `occurred_at`; its monthly partitions live
in the `tracked_event_partitions` schema and are created ahead of time by
`domain.analytics.partitions` (see there for why). Reports never read it: they read the
rollups below, which stay small (days × metrics, members × active days).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base

# Append-only; no primary key (a partitioned table's keys must contain the partition key, and
# nothing ever addresses one row). Deduplication is done by `tracked_event_keys`.
tracked_events = Table(
    "tracked_events",
    Base.metadata,
    Column("member_id", BigInteger, nullable=False),
    Column("client_event_id", String(64), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("target_type", String(32)),
    Column("target_id", BigInteger),
    Column("duration_ms", Integer),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("context", JSONB),
    Index("ix_tracked_events_member_id_occurred_at", "member_id", "occurred_at"),
    postgresql_partition_by="RANGE (occurred_at)",
)


class TrackedEventKey(Base):
    """(member, clientEventId) seen recently. Only the tracking window needs remembering: an
    event older than that is refused anyway, so the retention job prunes older keys."""

    __tablename__ = "tracked_event_keys"

    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_tracked_event_keys_occurred_at", "occurred_at",
                            postgresql_using="brin"),)


class DailyCounter(Base):
    """One number per brand day and metric, split in shards so concurrent writers of the same
    day and metric rarely wait on one row; readers sum the shards."""

    __tablename__ = "daily_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class MemberActivityDay(Base):
    """A member (with analytics consent) was active on a brand day; feeds DAU/WAU/MAU,
    retention and the UGC rate."""

    __tablename__ = "member_activity_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_content: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The member's previous active day (null for his first): see domain.analytics.activity.
    prev_day: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        Index("ix_member_activity_days_member_id_day", "member_id", "day"),
        Index("ix_member_activity_days_creators", "day", "member_id",
              postgresql_where=text("created_content")),
    )


class ActiveWindowDelta(Base):
    """Difference array of rolling active members: the running sum over days up to `e` of
    the rows of one window size is the number of distinct members active in the `window_days`
    days ending on `e` (WAU: 7, MAU: 30). Sharded like the daily counters."""

    __tablename__ = "active_window_deltas"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    window_days: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class CohortRetention(Base):
    """Members of a signup cohort active exactly `offset_days` (1, 7, 30) after joining."""

    __tablename__ = "cohort_retention"

    cohort_day: Mapped[date] = mapped_column(Date, primary_key=True)
    offset_days: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    retained: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class MemberSignup(Base):
    """The brand day each member joined: the signup cohort retention is measured on."""

    __tablename__ = "member_signups"

    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_member_signups_day", "day"),)


class ChallengeJoinDay(Base):
    """A member joined at least one challenge on a brand day: distinct participants of a
    period are its rows' distinct members (a small table: one row per joining member-day)."""

    __tablename__ = "challenge_join_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class CouponRollup(Base):
    """Coupons per campaign, source, brand day and metric, moved by `CouponChanged` in the
    transaction of the change: `issued` (on the issue day), `redeemed` (on the redemption day;
    a voided redemption is taken back), `redeemed_by_issue` (the same redemptions on their
    coupon's issue day: "of the coupons issued then, how many are redeemed") and `voided`.
    `couponReport` and the engagement metrics' redemption rate read it (summed over `shard`)."""

    __tablename__ = "coupon_rollups"

    campaign_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(24), primary_key=True)
    # A campaign's issues are counted in the row of the quota shard they took (which the
    # issuer holds locked anyway), so concurrent issuers never queue on one counter row;
    # other changes spread by coupon id. Readers sum over shards.
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default=text("0"))
    value: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))

    __table_args__ = (Index("ix_coupon_rollups_day", "day"),)


class ActivityGap(Base):
    """How many members were active on `day` with `prev_day` as their previous active day
    (1900-01-01: none before). Members active in [a, b] = the sum over days in it with
    prev_day < a; one row per (day, gap length) seen, not per member."""

    __tablename__ = "activity_gaps"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    prev_day: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))

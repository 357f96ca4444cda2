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

    __table_args__ = (Index("ix_member_activity_days_member_id_day", "member_id", "day"),)


class MemberSignup(Base):
    """The brand day each member joined: the signup cohort retention is measured on."""

    __tablename__ = "member_signups"

    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_member_signups_day", "day"),)

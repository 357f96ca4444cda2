from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, Integer, Sequence, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column

# Bumped on every insert and every aggregation, so `seq` orders what a phone has to replay.
notification_seq = Sequence("notification_seq", metadata=Base.metadata)


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger, notification_seq,
                                     server_default=notification_seq.next_value())
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # How many distinct actors an aggregated notification stands for ("Bob and 12 others").
    actor_count: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    group_key: Mapped[str | None] = mapped_column(String(128))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("ix_notifications_member_seq", "member_id", "seq"),
        # One unread aggregate per group: new reactions fold into it until it is read.
        Index("uq_notifications_unread_group", "member_id", "group_key", unique=True,
              postgresql_where=text("read_at IS NULL AND group_key IS NOT NULL")),
        Index("ix_notifications_member_unread", "member_id",
              postgresql_where=text("read_at IS NULL")),
    )

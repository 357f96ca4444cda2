"""Keyword rules, reports and the moderation cases they open."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class RuleAction(StrEnum):
    BLOCK = "BLOCK"
    REVIEW = "REVIEW"
    MASK = "MASK"


class CaseStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class ModerationAction(StrEnum):
    APPROVE = "APPROVE"
    HIDE = "HIDE"
    REMOVE = "REMOVE"
    RESTORE = "RESTORE"


class KeywordRule(Base):
    __tablename__ = "keyword_rules"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(100))
    # The keyword as matched: normalized like the text it is looked for in.
    normalized: Mapped[str] = mapped_column(String(100), unique=True)
    action: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class ModerationCase(Base):
    """One case per target while open: reports and keyword flags gather on it."""

    __tablename__ = "moderation_cases"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8), server_default=text("'OPEN'"))
    source: Mapped[str] = mapped_column(String(16))  # REPORTS | KEYWORD
    report_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reasons: Mapped[list[str]] = mapped_column(ARRAY(String(32)),
                                               server_default=text("'{}'::varchar[]"))
    resolution: Mapped[str | None] = mapped_column(String(8))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None]

    __table_args__ = (
        Index("uq_moderation_cases_open_target", "target_type", "target_id", unique=True,
              postgresql_where=text("status = 'OPEN'")),
        Index("ix_moderation_cases_status_id", "status", "id"),
    )


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(BigInteger)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("uq_reports_target_reporter", "target_type", "target_id", "reporter_id",
              unique=True),
        Index("ix_reports_case_id", "case_id"),
    )

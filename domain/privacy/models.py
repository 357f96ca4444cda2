"""Consents: the current choice per purpose, and the append-only record of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class MemberConsent(Base):
    """The member's current answer for one purpose; no row means the purpose's default."""

    __tablename__ = "member_consents"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"),
                                           primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = created_at_column()


class ConsentChange(Base):
    """Proof of consent: who answered what, to which policy version, when. Never updated."""

    __tablename__ = "consent_changes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_consent_changes_member_id", "member_id"),)


class DataExport(Base):
    """A member's export document, downloadable through a signed URL until it expires."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_data_exports_member_id", "member_id"),
                      Index("ix_data_exports_expires_at", "expires_at"))

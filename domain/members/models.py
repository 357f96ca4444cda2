from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class Role(StrEnum):
    MEMBER = "MEMBER"
    MODERATOR = "MODERATOR"
    MARKETER = "MARKETER"
    MERCHANT = "MERCHANT"
    ADMIN = "ADMIN"


class MemberStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    BANNED = "BANNED"
    DELETED = "DELETED"


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # Normalized (lower-cased) address; NULL for a guest until he links one.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(32))
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    roles: Mapped[list[str]] = mapped_column(
        ARRAY(String(16)), server_default=text("'{MEMBER}'::varchar[]")
    )
    status: Mapped[str] = mapped_column(String(16), server_default=MemberStatus.ACTIVE.value)
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_reason: Mapped[str | None] = mapped_column(String(500))
    is_guest: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    referral_code: Mapped[str] = mapped_column(String(16), unique=True)
    # Optional profile; every personal field may stay empty (PRODUCT.md).
    bio: Mapped[str | None] = mapped_column(String(500))
    age_range: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(64))
    occupation: Mapped[str | None] = mapped_column(String(64))
    personalization_opt_out: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Device(Base):
    """A device bound to a (guest or full) account, for `loginWithDevice`."""

    __tablename__ = "devices"

    device_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_devices_member_id", "member_id"),)


class RefreshToken(Base):
    """Rotating refresh tokens, stored hashed. Reuse of a rotated one revokes its family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        Index("ix_refresh_tokens_family_id", "family_id"),
        Index("ix_refresh_tokens_member_id", "member_id"),
    )

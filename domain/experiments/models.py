from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column


class Experiment(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # A tracked event kind (VIEW, CLICK, …) converts automatically; any other name is
    # converted only through `recordConversion`.
    metric: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at_column()


class ExperimentVariant(Base):
    __tablename__ = "experiment_variants"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"),
                                               primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    weight: Mapped[int] = mapped_column(Integer)


class ExperimentExposure(Base):
    """First time a member was shown his variant; one row per member and experiment."""

    __tablename__ = "experiment_exposures"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"),
                                               primary_key=True)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    variant: Mapped[str] = mapped_column(String(32))
    exposed_at: Mapped[datetime] = created_at_column()

    __table_args__ = (Index("ix_experiment_exposures_member_id", "member_id"),)


class ExperimentConversion(Base):
    """An exposed member converted (at most once per experiment)."""

    __tablename__ = "experiment_conversions"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"),
                                               primary_key=True)
    member_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    variant: Mapped[str] = mapped_column(String(32))
    converted_at: Mapped[datetime] = created_at_column()

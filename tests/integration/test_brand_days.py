"""Rollups count in the brand's time zone, not in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.analytics.models import DailyCounter, MemberActivityDay
from domain.analytics.partitions import PartitionKeeper
from domain.analytics.rules import EventKind, TrackedEvent
from domain.analytics.tracking import TrackingService
from rally.uow import UnitOfWorkFactory


async def test_an_evening_event_in_utc_counts_on_the_next_shanghai_day(container) -> None:
    settings = container.settings.model_copy(update={"timezone": "Asia/Shanghai"})
    uow = UnitOfWorkFactory(container.uow.sessions, container.uow.bus, settings)
    tracking = TrackingService(uow, PartitionKeeper(container.engine))
    utc_evening = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(20, 0),
                                   tzinfo=UTC)
    await tracking.track(42, [TrackedEvent("late", EventKind.SEARCH, None, None, None, utc_evening,
                                           None)])
    shanghai_day = utc_evening.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert shanghai_day == utc_evening.date() + timedelta(days=1)
    async with container.uow() as session_uow:
        active = (await session_uow.session.execute(select(MemberActivityDay.day))).scalars().all()
        counted = (await session_uow.session.execute(  # the event's and the active member's
            select(DailyCounter.day).distinct())).scalars().all()
    assert active == [shanghai_day] and counted == [shanghai_day]

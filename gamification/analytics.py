"""Engagement rollups fed by the programme's events, in the transaction that announced them:
check-ins per brand day and the members who joined a challenge on a day (engagement metrics'
check-in and challenge participation rates). Anonymous counts, like the community's."""

from __future__ import annotations

from collections import Counter
from datetime import date

from domain.analytics.rollups import Metric, add_counts, record_challenge_join
from gamification.campaigns.events import ChallengeJoined
from gamification.events import CheckedIn
from rally.clock import brand_day
from rally.events import bus
from rally.uow import UnitOfWork


@bus.subscribe(CheckedIn)
async def count_check_in(uow: UnitOfWork, event: CheckedIn) -> None:
    await add_counts(uow, Counter({(date.fromisoformat(event.day), Metric.CHECK_INS): 1}),
                     event.member_id)


@bus.subscribe(ChallengeJoined)
async def count_challenge_join(uow: UnitOfWork, event: ChallengeJoined) -> None:
    await record_challenge_join(uow, event.member_id, brand_day(await uow.now(), uow.settings.tz))

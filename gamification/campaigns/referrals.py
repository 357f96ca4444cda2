"""Referrals: a member registering with another's code pays both, once, by the point rules
(REFERRAL_SIGNUP with its daily cap per referrer, REFERRED_SIGNUP), unless both accounts
share a device. Every referral is recorded, paid or not, for `myReferrals` and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from domain.events import MemberRegistered
from domain.members.models import Device, Member
from domain.pagination import Page, PageRequest
from domain.reports import withheld
from gamification.campaigns.events import ReferralRecorded
from gamification.campaigns.models import Referral
from gamification.campaigns.points import Action, bump_counter, earn_by_rule
from rally.clock import brand_day
from rally.errors import InvalidInput
from rally.uow import UnitOfWork, UnitOfWorkFactory

SAME_DEVICE = "SAME_DEVICE"
DAILY_CAP = "DAILY_CAP"


async def record_referral(uow: UnitOfWork, event: MemberRegistered) -> None:
    if not event.referral_code:
        return
    newcomer = event.member_id
    # The referral code is the members area's public identifier of its owner.
    referrer = await uow.session.scalar(
        select(Member.id).where(Member.referral_code == event.referral_code.strip().upper()))
    if referrer is None or referrer == newcomer:
        uow.reward.notes.append("unknown referral code: 0 points")
        return
    device = (event.device_id or "").strip()
    shared = bool(device) and await uow.session.scalar(select(Device.member_id).where(
        Device.device_id == device, Device.member_id == referrer)) is not None
    now = await uow.now()
    referral_id = (await uow.session.execute(insert(Referral).values(
        referrer_id=referrer, referred_id=newcomer, day=brand_day(now, uow.settings.tz),
        paid=not shared, refusal=SAME_DEVICE if shared else None)
        .on_conflict_do_nothing().returning(Referral.id))).scalar()
    if referral_id is None:  # this member was already referred: never paid twice
        return
    paid = False
    if shared:
        uow.reward.notes.append("same device as your friend's: no referral reward")
    else:
        paid = await earn_by_rule(uow, referrer, Action.REFERRAL_SIGNUP, ("MEMBER", newcomer),
                                  f"{Action.REFERRAL_SIGNUP.value}:{newcomer}", newcomer) > 0
        if not paid:
            await uow.session.execute(update(Referral).where(
                Referral.id == referral_id).values(paid=False, refusal=DAILY_CAP))
        await bump_counter(uow, referrer, "referrals", to_reward=False)
        await earn_by_rule(uow, newcomer, Action.REFERRED_SIGNUP, ("MEMBER", referrer),
                           f"{Action.REFERRED_SIGNUP.value}:{newcomer}", newcomer)
    await uow.publish(ReferralRecorded(referral_id=referral_id, referrer_id=referrer,
                                       referred_id=newcomer, paid=paid))


@dataclass(frozen=True)
class ReferralView:
    id: int
    referred_id: int
    paid: bool
    refusal: str | None
    created_at: datetime


@dataclass(frozen=True)
class ReferralDay:
    """A count of fewer than the minimum group size is withheld (None)."""

    day: date
    signups: int | None
    paid: int | None


@dataclass(frozen=True)
class ReferralReport:
    """Members who registered with a referral code in [since, until] (brand days)."""

    since: date
    until: date
    signups: int
    paid: int
    same_device: int
    daily_cap: int
    referrers: int
    by_day: list[ReferralDay]


_REPORT_BY_DAY = text(
    "SELECT day, count(*) AS signups, count(*) FILTER (WHERE paid) AS paid"
    " FROM referrals WHERE day BETWEEN :since AND :until GROUP BY day ORDER BY day")
_REPORT_TOTALS = text(
    "SELECT count(*) AS signups, count(*) FILTER (WHERE paid) AS paid,"
    " count(*) FILTER (WHERE refusal = 'SAME_DEVICE') AS same_device,"
    " count(*) FILTER (WHERE refusal = 'DAILY_CAP') AS daily_cap,"
    " count(DISTINCT referrer_id) AS referrers"
    " FROM referrals WHERE day BETWEEN :since AND :until")


class ReferralService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def of_referrer(self, member_id: int, page: PageRequest
                          ) -> tuple[Page[ReferralView], int, str]:
        """The member's referrals, newest first, how many in all, and his code."""
        query = select(Referral).where(Referral.referrer_id == member_id)
        if page.after is not None:
            query = query.where(Referral.id < page.after[0])
        async with self._uow_factory() as uow:
            rows = list((await uow.session.scalars(
                query.order_by(Referral.id.desc()).limit(page.first + 1))).all())
            total = await uow.session.scalar(select(func.count()).select_from(Referral)
                                             .where(Referral.referrer_id == member_id))
            code = await uow.session.scalar(select(Member.referral_code)
                                            .where(Member.id == member_id))
        views = [ReferralView(r.id, r.referred_id, r.paid, r.refusal, r.created_at)
                 for r in rows[: page.first]]
        return Page(views, len(rows) > page.first), int(total or 0), str(code)

    async def report(self, since: date | None, until: date | None) -> ReferralReport:
        """Referral signups by brand day, every day of the window listed (zeros included);
        by default the last 30 days up to today."""
        async with self._uow_factory() as uow:
            today = brand_day(await uow.now(), uow.settings.tz)
            until = until or today
            since = since or until - timedelta(days=29)
            if since > until:
                raise InvalidInput("since is after until", field="since")
            longest = uow.settings.report_max_days
            if (until - since).days >= longest:
                raise InvalidInput(f"a report covers at most {longest} days", field="since",
                                   maximum=longest)
            window = {"since": since, "until": until}
            totals = (await uow.session.execute(_REPORT_TOTALS, window)).one()
            days = {r.day: r for r in (await uow.session.execute(_REPORT_BY_DAY, window)).all()}
        floor = self._uow_factory.settings.report_min_group_size
        by_day = []
        for n in range((until - since).days + 1):
            day = since + timedelta(days=n)
            row = days.get(day)
            by_day.append(ReferralDay(day, withheld(row.signups, floor) if row else 0,
                                      withheld(row.paid, floor) if row else 0))
        return ReferralReport(since, until, totals.signups, totals.paid, totals.same_device,
                              totals.daily_cap, totals.referrers, by_day)

"""Coupons: campaigns (MARKETER), grants, the member's wallet, store redemption, reports.

Other use cases issue coupons with `issue_coupon` / `issue_coupon_or_raise` (re-exported
here from `domain.coupons.issuing`) inside their own unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from domain.audit.service import record as audit
from domain.coupons import redemption, rules
from domain.coupons.codes import normalize_code, qr_payload, qr_signing_key
from domain.coupons.issuing import (
    CouponSource,
    IssuedCoupon,
    IssueRefusal,
    issue_coupon,
    issue_coupon_or_raise,
    try_issue_coupon,
)
from domain.coupons.models import Coupon, CouponCampaign, CouponStatus
from domain.coupons.records import CouponRecord, coupon_view, status_at_read_time
from domain.coupons.report import CouponReport, coupon_report
from domain.members.models import Member
from domain.pagination import Page, PageRequest, keyset_page
from rally.errors import Conflict, InvalidInput, NotFound
from rally.retry import retry_on_deadlock
from rally.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CampaignDraft", "CouponService", "CouponSource", "GrantResult", "IssueRefusal",
           "IssuedCoupon", "issue_coupon", "issue_coupon_or_raise", "try_issue_coupon"]


@dataclass(frozen=True)
class CampaignDraft:
    name: str
    discount: rules.Discount
    quota: int
    per_member_limit: int
    valid_from: datetime
    valid_until: datetime
    terms: str


@dataclass(frozen=True)
class GrantResult:
    campaign: CouponCampaign
    issued: list[IssuedCoupon]
    refused: dict[IssueRefusal, int]


_LOCK_SHARDS = text("SELECT issued FROM coupon_quota_shards WHERE campaign_id = :campaign_id"
                    " ORDER BY shard FOR UPDATE")
_SET_SHARD = text("INSERT INTO coupon_quota_shards (campaign_id, shard, quota)"
                  " VALUES (:campaign_id, :shard, :quota)"
                  " ON CONFLICT (campaign_id, shard) DO UPDATE SET quota = excluded.quota")


def _audit_view(campaign: CouponCampaign) -> dict[str, Any]:
    return {"name": campaign.name, "quota": campaign.quota,
            "perMemberLimit": campaign.per_member_limit,
            "validUntil": campaign.valid_until.isoformat(), "terms": campaign.terms}


class CouponService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        settings = uow_factory.settings
        self._qr_key = qr_signing_key(settings.secret_value())
        self._void_window = timedelta(seconds=settings.coupon_void_window_seconds)
        self._grant_max = settings.coupon_grant_max_members
        self._quota_shards = settings.coupon_quota_shards

    # --- campaigns -----------------------------------------------------------------------

    async def create_campaign(self, actor_id: int, draft: CampaignDraft) -> CouponCampaign:
        rules.window(draft.valid_from, draft.valid_until)
        campaign = CouponCampaign(
            name=rules.name(draft.name), discount_kind=draft.discount.kind.value,
            discount_value=draft.discount.value, currency=draft.discount.currency,
            quota=rules.quota(draft.quota),
            per_member_limit=rules.per_member_limit(draft.per_member_limit),
            valid_from=draft.valid_from, valid_until=draft.valid_until,
            terms=rules.terms(draft.terms), created_by=actor_id)
        async with self._uow_factory() as uow:
            uow.session.add(campaign)
            await uow.session.flush()
            await self._split_quota(uow, campaign, [])
            await audit(uow, actor_id=actor_id, action="CREATE_COUPON_CAMPAIGN",
                        target_type="COUPON_CAMPAIGN", target_id=campaign.id,
                        after=_audit_view(campaign))
            await uow.commit()
        return campaign

    async def update_campaign(self, actor_id: int, campaign_id: int,
                              changes: dict[str, Any]) -> CouponCampaign:
        """Name, terms, quota, per-member limit and end of the window; the rest is fixed."""
        async with self._uow_factory() as uow:
            campaign = await self._lock(uow, campaign_id)
            before = _audit_view(campaign)
            if "name" in changes:
                campaign.name = rules.name(changes["name"])
            if "terms" in changes:
                campaign.terms = rules.terms(changes["terms"])
            if "per_member_limit" in changes:
                campaign.per_member_limit = rules.per_member_limit(changes["per_member_limit"])
            if "valid_until" in changes:
                rules.window(campaign.valid_from, changes["valid_until"])
                campaign.valid_until = changes["valid_until"]
            if "quota" in changes:
                quota = rules.quota(changes["quota"])
                # Every shard locked: no coupon can be issued until this commits.
                shards = list((await uow.session.execute(_LOCK_SHARDS, {
                    "campaign_id": campaign.id})).scalars())
                if quota < sum(shards):
                    raise Conflict(f"{sum(shards)} coupons are already issued; the quota "
                                   "cannot go below that", field="quota", issued=sum(shards))
                campaign.quota = quota
                await self._split_quota(uow, campaign, shards)
            campaign.updated_at = await uow.now()
            await uow.session.flush()
            await uow.session.refresh(campaign, ["issued"])  # a flush expires the sum
            await audit(uow, actor_id=actor_id, action="UPDATE_COUPON_CAMPAIGN",
                        target_type="COUPON_CAMPAIGN", target_id=campaign.id, before=before,
                        after=_audit_view(campaign))
            await uow.commit()
        return campaign

    async def _split_quota(self, uow: UnitOfWork, campaign: CouponCampaign,
                           issued: list[int]) -> None:
        """(Re-)split the quota over the shards (`issued`: what each has issued, all locked),
        then read the campaign's issued count back onto the object."""
        shares = rules.quota_shares(campaign.quota, issued, self._quota_shards)
        await uow.session.execute(_SET_SHARD, [
            {"campaign_id": campaign.id, "shard": i, "quota": q} for i, q in enumerate(shares)])
        await uow.session.flush()
        await uow.session.refresh(campaign, ["issued"])  # a flush expires the sum

    async def campaigns(self, page: PageRequest) -> Page[CouponCampaign]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, select(CouponCampaign), CouponCampaign.id, page)

    async def campaign(self, campaign_id: int) -> CouponCampaign:
        async with self._uow_factory() as uow:
            campaign = await uow.session.get(CouponCampaign, campaign_id)
        if campaign is None:
            raise NotFound("no such coupon campaign", field="campaignId")
        return campaign

    async def _lock(self, uow: UnitOfWork, campaign_id: int) -> CouponCampaign:
        # NO KEY UPDATE: an issuer holding a quota shard takes a KEY SHARE lock on this row
        # (the coupon's foreign key) and must not wait for us while we wait for its shard.
        campaign = await uow.session.get(CouponCampaign, campaign_id,
                                         with_for_update={"key_share": True})
        if campaign is None:
            raise NotFound("no such coupon campaign", field="campaignId")
        return campaign

    # --- issuing -------------------------------------------------------------------------

    async def grant(self, actor_id: int, campaign_id: int, member_ids: list[int]) -> GrantResult:
        """One coupon to each listed member (duplicates count once) in one transaction;
        those the quota or their limit refuse are counted, not failed."""
        wanted = sorted(set(member_ids))
        if not wanted:
            raise InvalidInput("list at least one member", field="memberIds")
        if len(wanted) > self._grant_max:
            raise InvalidInput(f"grant to at most {self._grant_max} members at once",
                               field="memberIds", maximum=self._grant_max)
        # It holds every quota shard it took until it commits: a deadlock victim runs again.
        return await retry_on_deadlock(lambda: self._grant(actor_id, campaign_id, wanted))

    async def _grant(self, actor_id: int, campaign_id: int, wanted: list[int]) -> GrantResult:
        async with self._uow_factory() as uow:
            # Locked (as a quota change does, before any shard): grants of one campaign take
            # turns, so two of them never hold shards the other waits for.
            campaign = await self._lock(uow, campaign_id)
            known = set((await uow.session.scalars(
                select(Member.id).where(Member.id.in_(wanted)))).all())
            if missing := [m for m in wanted if m not in known]:
                raise NotFound("some members do not exist", field="memberIds",
                               missing=len(missing))
            issued, refused = [], dict.fromkeys(IssueRefusal, 0)
            for member_id in wanted:
                outcome = await try_issue_coupon(uow, campaign_id, member_id, CouponSource.GRANT)
                if isinstance(outcome, IssueRefusal):
                    refused[outcome] += 1
                else:
                    issued.append(outcome)
            await audit(uow, actor_id=actor_id, action="GRANT_COUPONS",
                        target_type="COUPON_CAMPAIGN", target_id=campaign_id,
                        after={"issued": len(issued), "refused": sum(refused.values())})
            await uow.commit()
            await uow.session.refresh(campaign)
        return GrantResult(campaign, issued, refused)

    # --- the member's coupons ------------------------------------------------------------

    async def member_coupons(self, member_id: int, status: CouponStatus | None,
                             page: PageRequest) -> Page[CouponRecord]:
        """Newest first; EXPIRED and ACTIVE are told apart by the window at read time."""
        query = coupon_view().where(Coupon.member_id == member_id)
        if status is not None:
            query = query.where(status_at_read_time() == status.value)
        if page.after is not None:
            query = query.where(Coupon.id < page.after[0])
        query = query.order_by(Coupon.id.desc()).limit(page.first + 1)
        async with self._uow_factory() as uow:
            rows = (await uow.session.execute(query)).all()
        records = [CouponRecord.from_row(r) for r in rows]
        return Page(records[: page.first], len(records) > page.first)

    def qr_payload(self, coupon: CouponRecord) -> str:
        return qr_payload(self._qr_key, coupon.code, coupon.campaign_id, coupon.valid_from,
                          coupon.valid_until)

    # --- stores --------------------------------------------------------------------------

    async def redeem(self, merchant_id: int, code: str, store_id: str) -> CouponRecord:
        normalized, store = normalize_code(code), rules.store_id(store_id)
        async with self._uow_factory() as uow:
            coupon = await redemption.redeem(uow, normalized, store, merchant_id)
            await uow.commit()
        return coupon

    async def void_redemption(self, actor_id: int, is_admin: bool, code: str,
                              reason: str) -> CouponRecord:
        normalized, why = normalize_code(code), rules.reason(reason)
        async with self._uow_factory() as uow:
            coupon = await redemption.void_redemption(uow, normalized, why, actor_id, is_admin,
                                                      self._void_window)
            await uow.commit()
        return coupon

    async def void_coupon(self, actor_id: int, code: str, reason: str) -> CouponRecord:
        normalized, why = normalize_code(code), rules.reason(reason)
        async with self._uow_factory() as uow:
            coupon = await redemption.void_coupon(uow, normalized, why, actor_id)
            await uow.commit()
        return coupon

    # --- reports -------------------------------------------------------------------------

    async def report(self, campaign_id: int) -> CouponReport:
        async with self._uow_factory() as uow:
            if await uow.session.get(CouponCampaign, campaign_id) is None:
                raise NotFound("no such coupon campaign", field="campaignId")
            return await coupon_report(uow, campaign_id)

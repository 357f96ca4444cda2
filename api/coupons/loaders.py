"""Batch loaders for coupons and their campaigns: one query per batch."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from api.loaders import batch_loader
from domain.coupons.models import ISSUED_SQL, CouponCampaign
from domain.coupons.records import COUPONS_BY_ID_SQL, CouponRecord

if TYPE_CHECKING:
    from api.container import Container

_CAMPAIGN_COLUMNS = ", ".join(f"k.{c.name}" for c in CouponCampaign.__table__.columns)
_CAMPAIGNS_BY_ID = (f"SELECT {_CAMPAIGN_COLUMNS}, {ISSUED_SQL.format(campaign='k')} AS issued"
                    " FROM coupon_campaigns k WHERE k.id = ANY($1::bigint[])")


@batch_loader("coupons_by_id")
async def coupons_by_id(container: Container, ids: Sequence[int]) -> list[CouponRecord | None]:
    rows = await container.fetch(COUPONS_BY_ID_SQL, list(ids))
    by_id = {row["id"]: CouponRecord.from_row(row) for row in rows}
    return [by_id.get(i) for i in ids]


@batch_loader("coupon_campaigns_by_id")
async def coupon_campaigns_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(_CAMPAIGNS_BY_ID, list(ids))
    by_id = {row["id"]: SimpleNamespace(**row) for row in rows}
    return [by_id.get(i) for i in ids]

"""Every table of the community, imported together for Alembic and for test resets."""

from domain.audit.models import AuditEntry
from domain.coupons.models import Coupon, CouponCampaign, CouponHolding
from domain.members.models import Device, Member, RefreshToken
from domain.notifications.models import Notification

__all__ = ["AuditEntry", "Coupon", "CouponCampaign", "CouponHolding", "Device", "Member",
           "Notification", "RefreshToken"]

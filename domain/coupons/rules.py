"""Pure rules of a coupon campaign's terms, checked before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.coupons.models import DiscountKind
from rally.errors import InvalidInput

NAME_MAX = 120
TERMS_MAX = 4000
STORE_ID_MAX = 64
# ISO 4217 alphabetic codes are three capital letters; the list of live ones is not checked.
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Discount:
    kind: DiscountKind
    value: Decimal
    currency: str | None


def discount(kind: str, value: float | Decimal, currency: str | None) -> Discount:
    """PERCENT 1–100 without a currency, or AMOUNT > 0 with an ISO 4217 currency."""
    try:
        amount = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise InvalidInput("the discount value is not a number", field="discount.value") from exc
    if not amount.is_finite():
        raise InvalidInput("the discount value is not a number", field="discount.value")
    if kind == DiscountKind.PERCENT:
        if not Decimal(1) <= amount <= Decimal(100):
            raise InvalidInput("a percentage discount is between 1 and 100",
                               field="discount.value")
        if currency is not None:
            raise InvalidInput("a percentage discount has no currency", field="discount.currency")
        return Discount(DiscountKind.PERCENT, amount, None)
    if kind == DiscountKind.AMOUNT:
        if amount <= 0:
            raise InvalidInput("an amount discount is greater than zero", field="discount.value")
        code = (currency or "").strip().upper()
        if not _CURRENCY.match(code):
            raise InvalidInput("an amount discount needs an ISO 4217 currency such as EUR",
                               field="discount.currency")
        return Discount(DiscountKind.AMOUNT, amount, code)
    raise InvalidInput(f"unknown discount kind {kind}", field="discount.kind")


def name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise InvalidInput(f"a campaign name has 1 to {NAME_MAX} characters", field="name")
    return cleaned


def terms(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > TERMS_MAX:
        raise InvalidInput(f"terms have at most {TERMS_MAX} characters", field="terms")
    return text


def quota(value: int) -> int:
    if value < 1:
        raise InvalidInput("the quota is at least 1", field="quota")
    return value


def quota_shares(quota: int, issued: list[int], shards: int) -> list[int]:
    """Each shard's quota when a campaign's `quota` is (re-)split: a shard keeps what it has
    issued and gets an even share of what is left; existing shards are never dropped (their
    issued count must stay), and at most `shards` are used unless more already exist.
    The shares add up to `quota` exactly (the provable bound on what can be issued)."""
    left = quota - sum(issued)
    if left < 0:
        raise ValueError("the quota is below what is issued")
    count = max(len(issued), min(max(left, 1), shards))
    issued = issued + [0] * (count - len(issued))
    base, extra = divmod(left, count)
    return [done + base + (1 if i < extra else 0) for i, done in enumerate(issued)]


def per_member_limit(value: int) -> int:
    if value < 1:
        raise InvalidInput("the per-member limit is at least 1", field="perUserLimit")
    return value


def window(valid_from: datetime, valid_until: datetime) -> None:
    if valid_from.tzinfo is None or valid_until.tzinfo is None:
        raise InvalidInput("validity times need a time zone", field="validFrom")
    if valid_until <= valid_from:
        raise InvalidInput("the validity window must end after it starts", field="validUntil")


def store_id(value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > STORE_ID_MAX:
        raise InvalidInput(f"a store id has 1 to {STORE_ID_MAX} characters", field="storeId")
    return cleaned


def reason(value: str) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > 500:
        raise InvalidInput("say why, in 1 to 500 characters", field="reason")
    return cleaned

"""Coupon codes and the signed QR payload a store scanner verifies offline.

A code is 13 Crockford base32 symbols of `secrets` randomness (65 bits: unguessable, and
collisions are retried by the insert anyway) followed by one mod-37 Crockford check symbol,
shown in groups for reading aloud: `7K3QX-M9P2D-RT4W`. The check symbol catches every single
mistyped symbol and every swap of two neighbours, so a typo is refused before any query.

QR payload (version 1), ASCII, dot-separated:

    RC1.<code>.<campaign id>.<valid from, unix s>.<valid until, unix s>.<signature>

`signature` is the unpadded base64url HMAC-SHA256 of everything before the last dot, keyed
with `qr_signing_key(secret)` — a key derived from the server secret, so scanners are given
that derived key and never the secret itself. Offline a scanner can tell a genuine coupon and
its validity window; whether it was already redeemed only the server knows (`redeemCoupon`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from rally.errors import InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's check symbols: the 32 data symbols, then values 32–36.
CHECK_SYMBOLS = ALPHABET + "*~$=U"
RANDOM_SYMBOLS = 13  # 65 bits
CODE_LENGTH = RANDOM_SYMBOLS + 1
GROUPS = (5, 5, 4)
# Letters people type for the symbols Crockford leaves out.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
QR_VERSION = "RC1"


def check_symbol(symbols: str) -> str:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return CHECK_SYMBOLS[value % 37]


def new_code() -> str:
    """A fresh normalized code (no separators): 13 random symbols and the check symbol."""
    value = secrets.randbits(5 * RANDOM_SYMBOLS)
    symbols = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(RANDOM_SYMBOLS))
    return symbols + check_symbol(symbols)


def normalize_code(typed: str) -> str:
    """The stored form of a typed code, or BAD_USER_INPUT when it cannot be a real one."""
    code = typed.strip().upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(code) != CODE_LENGTH:
        raise InvalidInput(f"a coupon code has {CODE_LENGTH} symbols", field="code")
    body, check = code[:-1], code[-1]
    if any(symbol not in ALPHABET for symbol in body) or check not in CHECK_SYMBOLS:
        raise InvalidInput("the coupon code contains symbols that are not used in codes",
                           field="code")
    if check_symbol(body) != check:
        raise InvalidInput("the coupon code is mistyped (its check symbol does not match)",
                           field="code")
    return code


def format_code(code: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start:start + size])
        start += size
    return "-".join(parts)


def qr_signing_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"rally coupon qr v1", hashlib.sha256).digest()


def _sign(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def qr_payload(key: bytes, code: str, campaign_id: int, valid_from: datetime,
               valid_until: datetime) -> str:
    message = ".".join([QR_VERSION, code, str(campaign_id), str(int(valid_from.timestamp())),
                        str(int(valid_until.timestamp()))])
    return f"{message}.{_sign(key, message)}"


@dataclass(frozen=True)
class VerifiedCoupon:
    code: str
    campaign_id: int
    valid_from: datetime
    valid_until: datetime

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment < self.valid_until


def verify_qr_payload(key: bytes, payload: str) -> VerifiedCoupon:
    """What a scanner does offline: check the signature and read the coupon, else raise."""
    message, _, signature = payload.rpartition(".")
    if not message or not hmac.compare_digest(_sign(key, message), signature):
        raise InvalidInput("this QR code was not issued by the brand", field="qrPayload")
    version, code, campaign, start, end = (message.split(".") + [""] * 5)[:5]
    if version != QR_VERSION or message.count(".") != 4:
        raise InvalidInput("unknown QR payload version", field="qrPayload")
    try:
        return VerifiedCoupon(
            code=normalize_code(code), campaign_id=int(campaign),
            valid_from=datetime.fromtimestamp(int(start), UTC),
            valid_until=datetime.fromtimestamp(int(end), UTC))
    except (ValueError, OverflowError) as exc:
        raise InvalidInput("malformed QR payload", field="qrPayload") from exc

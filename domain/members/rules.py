"""Input rules for accounts, as pure functions."""

from __future__ import annotations

import re
import secrets
import unicodedata

from rally.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MIN_PASSWORD = 10
MAX_PASSWORD = 256
DISPLAY_NAME_RANGE = (2, 32)


def normalize_email(email: str) -> str:
    value = unicodedata.normalize("NFKC", email).strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidInput("email is not a valid address", field="email")
    return value


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD} characters", field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password must have at most {MAX_PASSWORD} characters", field="password")


def normalize_display_name(name: str) -> str:
    value = " ".join(unicodedata.normalize("NFKC", name).split())
    low, high = DISPLAY_NAME_RANGE
    if not low <= len(value) <= high:
        raise InvalidInput(f"displayName must be {low}–{high} characters", field="displayName")
    if any(unicodedata.category(ch).startswith("C") for ch in value):
        raise InvalidInput("displayName must not contain control characters", field="displayName")
    return value


def new_referral_code() -> str:
    """8 Crockford base32 characters (40 bits): short enough to type, long enough not to guess."""
    return "".join(secrets.choice(_CROCKFORD) for _ in range(8))


def check_device_id(device_id: str) -> str:
    value = device_id.strip()
    if not 8 <= len(value) <= 128:
        raise InvalidInput("deviceId must be 8–128 characters", field="deviceId")
    return value

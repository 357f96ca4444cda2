from __future__ import annotations

import pytest

from domain.members import rules
from rally.errors import InvalidInput


def test_emails_are_normalized() -> None:
    assert rules.normalize_email("  Alice@Example.COM ") == "alice@example.com"
    assert rules.normalize_email("ａｌｉｃｅ@example.com") == "alice@example.com"  # full-width


@pytest.mark.parametrize("email", ["", "alice", "alice@", "@example.com", "a b@example.com",
                                   "alice@example", "x" * 250 + "@example.com"])
def test_bad_emails_are_refused(email: str) -> None:
    with pytest.raises(InvalidInput):
        rules.normalize_email(email)


def test_display_names_collapse_whitespace_and_respect_length() -> None:
    assert rules.normalize_display_name("  Run   Club  ") == "Run Club"
    assert rules.normalize_display_name("跑步") == "跑步"
    for bad in ("a", " a ", "x" * 33, "bad\u0000name"):
        with pytest.raises(InvalidInput):
            rules.normalize_display_name(bad)


def test_passwords_need_ten_characters() -> None:
    rules.check_password("0123456789")
    with pytest.raises(InvalidInput):
        rules.check_password("012345678")


def test_referral_codes_use_crockford_base32() -> None:
    codes = {rules.new_referral_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and not set(c) & set("ILOU") for c in codes)

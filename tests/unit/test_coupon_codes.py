"""Coupon codes catch typos by their check symbol; QR payloads verify offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.coupons import codes, rules
from domain.coupons.codes import ALPHABET, CODE_LENGTH
from rally.errors import InvalidInput

KEY = codes.qr_signing_key("unit-test-secret")
FROM = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_new_code_has_13_random_symbols_and_a_valid_check_symbol() -> None:
    code = codes.new_code()
    assert len(code) == CODE_LENGTH
    assert all(symbol in ALPHABET for symbol in code[:-1])
    assert codes.normalize_code(code) == code


def test_codes_do_not_repeat() -> None:
    assert len({codes.new_code() for _ in range(5000)}) == 5000


def test_the_grouped_form_and_common_misreadings_are_accepted() -> None:
    code = "0123456789ABC"
    code += codes.check_symbol(code)
    shown = codes.format_code(code)
    assert shown == f"01234-56789-{code[10:]}"
    assert codes.normalize_code(shown.lower()) == code
    assert codes.normalize_code(" o" + shown[1:].replace("1", "I") + " ") == code


def test_every_single_mistyped_symbol_is_refused() -> None:
    code = codes.new_code()
    for position in range(CODE_LENGTH - 1):
        for symbol in ALPHABET:
            if symbol == code[position]:
                continue
            typo = code[:position] + symbol + code[position + 1:]
            with pytest.raises(InvalidInput, match="mistyped"):
                codes.normalize_code(typo)


def test_every_swap_of_two_neighbours_is_refused() -> None:
    code = codes.new_code()
    for position in range(CODE_LENGTH - 2):
        a, b = code[position], code[position + 1]
        if a == b:
            continue
        with pytest.raises(InvalidInput):
            codes.normalize_code(code[:position] + b + a + code[position + 2:])


@pytest.mark.parametrize("typed", ["", "ABC", "0123456789ABCDE", "0123456789AB!*", "U123456789ABC0"])
def test_wrong_length_or_foreign_symbols_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        codes.normalize_code(typed)


def test_a_qr_payload_verifies_offline_and_tells_the_validity_window() -> None:
    code = codes.new_code()
    payload = codes.qr_payload(KEY, code, 42, FROM, UNTIL)
    assert payload.startswith(f"RC1.{code}.42.")
    verified = codes.verify_qr_payload(KEY, payload)
    assert (verified.code, verified.campaign_id) == (code, 42)
    assert (verified.valid_from, verified.valid_until) == (FROM, UNTIL)
    assert verified.valid_at(FROM + timedelta(days=1))
    assert not verified.valid_at(UNTIL)


def test_a_tampered_or_foreign_qr_payload_is_refused() -> None:
    payload = codes.qr_payload(KEY, codes.new_code(), 42, FROM, UNTIL)
    body, _, signature = payload.rpartition(".")
    later = body.replace(str(int(UNTIL.timestamp())), str(int(UNTIL.timestamp()) + 86400))
    for forged in (f"{later}.{signature}", payload[:-2], payload + "x", "", "RC1.garbage"):
        with pytest.raises(InvalidInput):
            codes.verify_qr_payload(KEY, forged)
    with pytest.raises(InvalidInput):
        codes.verify_qr_payload(codes.qr_signing_key("another secret"), payload)


@pytest.mark.parametrize(("kind", "value", "currency"), [
    ("PERCENT", 0, None), ("PERCENT", 100.5, None), ("PERCENT", 10, "EUR"),
    ("AMOUNT", 0, "EUR"), ("AMOUNT", -5, "EUR"), ("AMOUNT", 5, None), ("AMOUNT", 5, "EURO"),
    ("AMOUNT", float("nan"), "EUR"),
])
def test_impossible_discounts_are_refused(kind: str, value: float, currency: str | None) -> None:
    with pytest.raises(InvalidInput):
        rules.discount(kind, value, currency)


def test_valid_discounts_are_kept_to_the_cent() -> None:
    assert str(rules.discount("PERCENT", 15, None).value) == "15.00"
    amount = rules.discount("AMOUNT", 4.999, "eur")
    assert (str(amount.value), amount.currency) == ("5.00", "EUR")


def test_a_signed_but_malformed_payload_is_refused_not_crashed() -> None:
    body = "RC1." + codes.new_code() + ".forty-two.1.2"
    signed = body + "." + codes._sign(KEY, body)
    with pytest.raises(InvalidInput, match="malformed"):
        codes.verify_qr_payload(KEY, signed)


def test_a_quota_is_split_so_the_shards_add_up_to_it_and_keep_what_they_issued() -> None:
    from domain.coupons.rules import quota_shares

    assert quota_shares(10, [], 64) == [1] * 10
    assert quota_shares(130, [], 64) == [3, 3] + [2] * 62
    assert quota_shares(1, [], 64) == [1]
    # re-split: each shard keeps its issued, the rest is spread, existing shards stay
    assert quota_shares(12, [3, 0, 2], 4) == [3 + 2, 0 + 2, 2 + 2, 0 + 1]
    assert quota_shares(5, [3, 0, 2], 4) == [3, 0, 2]
    assert sum(quota_shares(1_000_003, [7, 9], 64)) == 1_000_003
    with pytest.raises(ValueError):
        quota_shares(4, [3, 0, 2], 4)

from __future__ import annotations

from collections import Counter

import pytest

from domain.experiments.rules import Variant, assign, check_definition, compare
from rally.errors import InvalidInput

AB = [Variant("control", 1), Variant("treatment", 1)]


def test_assignment_is_deterministic_and_follows_the_weights() -> None:
    variants = [Variant("a", 1), Variant("b", 3)]
    first = [assign(m, "cta-color", variants) for m in range(4000)]
    assert first == [assign(m, "cta-color", variants) for m in range(4000)]
    share_b = Counter(first)["b"] / 4000
    assert 0.72 < share_b < 0.78


def test_a_zero_weight_variant_gets_nobody() -> None:
    variants = [Variant("a", 0), Variant("b", 5)]
    assert {assign(m, "k1", variants) for m in range(500)} == {"b"}


def test_assignment_differs_between_experiments() -> None:
    one = [assign(m, "first-test", AB) for m in range(200)]
    two = [assign(m, "second-test", AB) for m in range(200)]
    assert one != two


@pytest.mark.parametrize("key, variants, metric", [
    ("Bad Key", AB, "CLICK"),
    ("ok-key", [Variant("only", 1)], "CLICK"),
    ("ok-key", [Variant("a", 0), Variant("b", 0)], "CLICK"),
    ("ok-key", [Variant("a", -1), Variant("b", 2)], "CLICK"),
    ("ok-key", [Variant("a", 1), Variant("a", 1)], "CLICK"),
    ("ok-key", AB, "  "),
])
def test_bad_definitions_are_refused(key: str, variants: list[Variant], metric: str) -> None:
    with pytest.raises(InvalidInput):
        check_definition(key, variants, metric)


def test_comparison_matches_the_textbook_z_test() -> None:
    # 100/1000 vs 130/1000: pooled p = 0.115, z = 0.03 / sqrt(0.115·0.885·0.002) ≈ 2.103
    result = compare((100, 1000), (130, 1000))
    assert result is not None
    assert round(result.z_score, 3) == 2.103
    assert round(result.p_value, 3) == 0.035
    assert result.significant
    assert round(result.relative_lift, 2) == 0.30
    assert result.lift_low < 0.30 < result.lift_high
    assert result.lift_low > 0  # significant at 5 %: the interval excludes no lift


def test_no_difference_is_not_significant() -> None:
    result = compare((50, 500), (52, 500))
    assert result is not None and not result.significant
    assert result.lift_low < 0 < result.lift_high


def test_no_conversions_in_the_control_gives_no_ratio() -> None:
    assert compare((0, 100), (5, 100)) is None

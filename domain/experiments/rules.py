"""Experiment rules: input checks, deterministic assignment and the report's statistics."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

from scipy.stats import norm

from rally.errors import InvalidInput

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MAX_VARIANTS = 10
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Variant:
    name: str
    weight: int


def check_definition(key: str, variants: list[Variant], metric: str) -> None:
    if not KEY_PATTERN.match(key):
        raise InvalidInput("key must be 2–64 lower-case letters, digits, '.', '_' or '-'",
                           field="key")
    if not 2 <= len(variants) <= MAX_VARIANTS:
        raise InvalidInput(f"an experiment has 2–{MAX_VARIANTS} variants", field="variants")
    names = [v.name for v in variants]
    if len(set(names)) != len(names) or not all(1 <= len(n) <= 32 for n in names):
        raise InvalidInput("variant names must be unique, 1–32 characters", field="variants")
    if any(v.weight < 0 for v in variants):
        raise InvalidInput("weights must not be negative", field="variants")
    if sum(v.weight for v in variants) == 0:
        raise InvalidInput("the weights sum to zero: nobody could be assigned", field="variants")
    if not 1 <= len(metric.strip()) <= 64:
        raise InvalidInput("metric must be 1–64 characters", field="metric")


def assign(member_id: int, key: str, variants: list[Variant]) -> str:
    """The same member always lands in the same variant of an experiment; members spread over
    variants in proportion to their weights. SHA-256 of "key:member" mod the total weight."""
    total = sum(v.weight for v in variants)
    digest = hashlib.sha256(f"{key}:{member_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") % total
    for variant in variants:
        if point < variant.weight:
            return variant.name
        point -= variant.weight
    raise AssertionError("unreachable: point < total")


@dataclass(frozen=True)
class Comparison:
    """A variant against the control (the first variant)."""

    relative_lift: float
    lift_low: float
    lift_high: float
    z_score: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < 1 - CONFIDENCE


def compare(control: tuple[int, int], treatment: tuple[int, int]) -> Comparison | None:
    """(conversions, exposures) of control and treatment → lift, its 95 % CI, z-test.

    Relative lift = p_t / p_c − 1, its interval from the log of the risk ratio (delta
    method). The significance test is the pooled two-proportion z-test; the normal
    distribution comes from SciPy. None when a rate is undefined or zero (no ratio)."""
    (x_c, n_c), (x_t, n_t) = control, treatment
    if min(n_c, n_t) == 0 or x_c == 0 or x_t == 0:
        return None
    p_c, p_t = x_c / n_c, x_t / n_t
    pooled = (x_c + x_t) / (n_c + n_t)
    se_diff = math.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
    z = (p_t - p_c) / se_diff if se_diff else 0.0
    p_value = float(2 * norm.sf(abs(z)))
    se_log = math.sqrt((1 - p_t) / x_t + (1 - p_c) / x_c)
    critical = float(norm.ppf(0.5 + CONFIDENCE / 2))
    log_ratio = math.log(p_t / p_c)
    return Comparison(relative_lift=p_t / p_c - 1,
                      lift_low=math.exp(log_ratio - critical * se_log) - 1,
                      lift_high=math.exp(log_ratio + critical * se_log) - 1,
                      z_score=z, p_value=p_value)

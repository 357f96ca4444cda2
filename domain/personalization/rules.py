"""Pure rules of personalization: tag normalization, interest decay, segment rule checks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.community.rules import normalize_topic
from rally.errors import InvalidInput
from rally.settings import Settings


def normalize_tag(tag: str, maximum: int, field: str = "interests") -> str:
    """Spelled like a post topic (`  #Running ` → `running`), so interests match topics."""
    try:
        return normalize_topic(tag, maximum)
    except InvalidInput as error:
        raise InvalidInput(error.message.replace("a topic", "an interest"), field=field,
                           tag=tag) from error


def normalize_interests(tags: list[str], settings: Settings) -> list[str]:
    normalized = list(dict.fromkeys(normalize_tag(t, settings.interest_tag_max_chars)
                                    for t in tags))
    if len(normalized) > settings.interest_max_explicit:
        raise InvalidInput(f"at most {settings.interest_max_explicit} interests",
                           field="interests", maximum=settings.interest_max_explicit)
    return normalized


def decay_factor(age_seconds: float, half_life_days: float) -> float:
    """How much of a score is left after `age_seconds` (1 now, ½ after one half-life)."""
    return math.pow(0.5, max(0.0, age_seconds) / (half_life_days * 86400))


def decayed(score: float, scored_at: datetime, now: datetime, half_life_days: float) -> float:
    return score * decay_factor((now - scored_at).total_seconds(), half_life_days)


class SegmentRuleKind(StrEnum):
    LEVEL_AT_LEAST = "LEVEL_AT_LEAST"
    INTEREST = "INTEREST"
    ACTIVE_WITHIN_DAYS = "ACTIVE_WITHIN_DAYS"
    JOINED_AFTER = "JOINED_AFTER"
    HAS_BADGE = "HAS_BADGE"
    REGION = "REGION"


@dataclass(frozen=True)
class SegmentRule:
    """One condition of a segment; a segment is the members matching all of its rules."""

    kind: SegmentRuleKind
    value: Any  # int (level, days, badge id), str (tag, region) or datetime (joined after)

    def to_json(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"kind": self.kind.value, "value": value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentRule:
        kind = SegmentRuleKind(data["kind"])
        value = data["value"]
        if kind is SegmentRuleKind.JOINED_AFTER:
            value = datetime.fromisoformat(value)
        return cls(kind, value)


MAX_ACTIVE_DAYS = 366
MAX_LEVEL = 1000


def check_segment_rule(rule: SegmentRule, index: int, settings: Settings) -> SegmentRule:
    """The rule with its value normalized, or BAD_USER_INPUT naming it."""
    field = f"rules.{index}"
    kind, value = rule.kind, rule.value
    if kind is SegmentRuleKind.LEVEL_AT_LEAST and not 1 <= value <= MAX_LEVEL:
        raise InvalidInput(f"rule {index}: level must be 1–{MAX_LEVEL}", field=field)
    if kind is SegmentRuleKind.ACTIVE_WITHIN_DAYS and not 1 <= value <= MAX_ACTIVE_DAYS:
        raise InvalidInput(f"rule {index}: days must be 1–{MAX_ACTIVE_DAYS}", field=field)
    if kind is SegmentRuleKind.INTEREST:
        return SegmentRule(kind, normalize_tag(value, settings.interest_tag_max_chars, field))
    if kind is SegmentRuleKind.REGION:
        region = " ".join(str(value).split())
        if not 1 <= len(region) <= 64:
            raise InvalidInput(f"rule {index}: region must be 1–64 characters", field=field)
        return SegmentRule(kind, region)
    if kind is SegmentRuleKind.JOINED_AFTER and value.tzinfo is None:
        raise InvalidInput(f"rule {index}: joinedAfter needs a time zone offset", field=field)
    return rule


def check_segment(name: str, rules: list[SegmentRule], settings: Settings) -> tuple[str, list[SegmentRule]]:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= settings.segment_name_max_chars:
        raise InvalidInput(f"name must be 1–{settings.segment_name_max_chars} characters",
                           field="name")
    if not rules:
        raise InvalidInput("a segment needs at least one rule", field="rules")
    if len(rules) > settings.segment_max_rules:
        raise InvalidInput(f"at most {settings.segment_max_rules} rules", field="rules",
                           maximum=settings.segment_max_rules)
    return clean, [check_segment_rule(r, i, settings) for i, r in enumerate(rules)]

"""Keyword matching that survives the usual evasions.

Text and keywords are compared in a normalized form: NFKC (full-width → half-width,
compatibility forms), case-folded, and with everything that is not a letter or a digit
dropped, so `S p-a.m`, `ＳＰＡＭ` and `spam` match alike, in Chinese as in Latin text.
Known trade-off: across word boundaries, `class` contains `ass`; rules should be specific.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from domain.moderation.models import RuleAction
from rally.errors import InvalidInput

_PRECEDENCE = {RuleAction.BLOCK: 0, RuleAction.REVIEW: 1, RuleAction.MASK: 2}


def _kept(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "N")


def normalize_with_positions(text: str) -> tuple[str, list[int]]:
    """The normalized text and, for each of its characters, the index it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if _kept(piece):
                out.append(piece)
                origin.append(index)
    return "".join(out), origin


def normalize(text: str) -> str:
    return normalize_with_positions(text)[0]


def check_keyword(keyword: str) -> tuple[str, str]:
    keyword = keyword.strip()
    normalized = normalize(keyword)
    if not normalized:
        raise InvalidInput("a keyword needs at least one letter or digit", field="keyword")
    if len(keyword) > 100:
        raise InvalidInput("a keyword has at most 100 characters", field="keyword")
    return keyword, normalized


@dataclass(frozen=True)
class Rule:
    id: int
    normalized: str
    action: RuleAction


@dataclass(frozen=True)
class Screening:
    """What the rules make of a text: the strictest action, its rule, the masked text."""

    action: RuleAction | None
    rule_id: int | None
    text: str


def screen(text: str, rules: Iterable[Rule]) -> Screening:
    normalized, origin = normalize_with_positions(text)
    strictest: Rule | None = None
    masked = list(text)
    for rule in rules:
        start = normalized.find(rule.normalized)
        if start < 0:
            continue
        if strictest is None or _PRECEDENCE[rule.action] < _PRECEDENCE[strictest.action]:
            strictest = rule
        if rule.action is RuleAction.MASK:
            while start >= 0:
                first, last = origin[start], origin[start + len(rule.normalized) - 1]
                for i in range(first, last + 1):
                    if not masked[i].isspace():
                        masked[i] = "*"
                start = normalized.find(rule.normalized, start + len(rule.normalized))
    if strictest is None:
        return Screening(None, None, text)
    return Screening(strictest.action, strictest.id, "".join(masked))

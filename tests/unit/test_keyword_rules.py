"""Keyword matching against the usual evasions, and masking in the original text."""

from __future__ import annotations

import pytest

from api.relay import to_global_id
from domain.community.rules import body_fingerprint, mention_names, normalize_topics
from domain.moderation.models import RuleAction
from domain.moderation.rules import Rule, normalize, screen
from domain.moderation.screening import rule_global_id
from rally.errors import InvalidInput

SPAM = Rule(1, normalize("spam"), RuleAction.BLOCK)
SCAM = Rule(2, normalize("scam"), RuleAction.MASK)
GAMBLING = Rule(3, normalize("赌博"), RuleAction.REVIEW)


@pytest.mark.parametrize("text", ["SPAM", "s p a m", "S.p-a_m", "ｓｐａｍ", "buy Ｓ　P　A　M now"])
def test_evasions_of_a_latin_keyword_still_match(text: str) -> None:
    assert screen(text, [SPAM]).action is RuleAction.BLOCK


@pytest.mark.parametrize("text", ["网上赌博", "网上 赌 · 博", "赌-博"])
def test_evasions_of_a_chinese_keyword_still_match(text: str) -> None:
    result = screen(text, [GAMBLING])
    assert (result.action, result.rule_id) == (RuleAction.REVIEW, 3)


def test_clean_text_passes_untouched() -> None:
    assert screen("a friendly run", [SPAM, SCAM, GAMBLING]).action is None


def test_mask_replaces_the_matched_characters_only() -> None:
    assert screen("this is a S-C-A-M, ok", [SCAM]).text == "this is a *******, ok"
    assert screen("scam and Scam", [SCAM]).text == "**** and ****"


def test_the_strictest_rule_wins() -> None:
    assert screen("spam scam", [SCAM, SPAM]).action is RuleAction.BLOCK


def test_rule_ids_in_errors_are_the_api_global_ids() -> None:
    assert rule_global_id(42) == to_global_id("KeywordRule", 42)


def test_topics_are_normalized_and_limited() -> None:
    assert normalize_topics(["#Run", "run ", "ＴＥＡ"], 5, 64) == ["run", "tea"]
    with pytest.raises(InvalidInput):
        normalize_topics(["a", "b", "c"], 2, 64)
    with pytest.raises(InvalidInput):
        normalize_topics(["two words"], 5, 64)


def test_mentions_and_duplicate_fingerprints() -> None:
    assert mention_names("hi @Bob and @bob, mail a@b.c @Ann") == ["bob", "ann"]
    assert body_fingerprint("Hello   World") == body_fingerprint("hello world")

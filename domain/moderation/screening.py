"""Applying the keyword rules to what members write, inside the writing transaction."""

from __future__ import annotations

import base64

from sqlalchemy import select

from domain.moderation.models import KeywordRule, RuleAction
from domain.moderation.rules import Rule, Screening, screen
from rally.errors import InvalidInput
from rally.uow import UnitOfWork


async def screen_text(uow: UnitOfWork, text: str, field: str = "body") -> Screening:
    """The screening of `text`; BLOCK refuses it (BAD_USER_INPUT, reason CONTENT_BLOCKED)."""
    rows = await uow.session.execute(
        select(KeywordRule.id, KeywordRule.normalized, KeywordRule.action))
    result = screen(text, [Rule(r.id, r.normalized, RuleAction(r.action)) for r in rows])
    if result.action is RuleAction.BLOCK:
        raise InvalidInput("this text contains a blocked word", reason="CONTENT_BLOCKED",
                           ruleId=rule_global_id(result.rule_id), field=field)
    return result


def rule_global_id(rule_id: int | None) -> str:
    """The rule's global id as the API shows it (same encoding as `api.relay.to_global_id`;
    the domain may not import the API, a test holds the two together)."""
    return base64.urlsafe_b64encode(f"KeywordRule:{rule_id}".encode()).decode().rstrip("=")


async def screen_display_name(uow: UnitOfWork, name: str) -> str:
    """A display name cannot wait for review: BLOCK and REVIEW refuse it, MASK masks it."""
    result = await screen_text(uow, name, field="displayName")
    if result.action is RuleAction.REVIEW:
        raise InvalidInput("this name contains a word that is not allowed", reason="CONTENT_BLOCKED",
                           ruleId=rule_global_id(result.rule_id), field="displayName")
    return result.text

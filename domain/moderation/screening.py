"""Applying the keyword rules to what members write, inside the writing transaction."""

from __future__ import annotations

import base64
import uuid

from redis.asyncio import Redis
from sqlalchemy import select

from domain.moderation.models import KeywordRule, RuleAction
from domain.moderation.rules import Rule, Screening, screen
from rally.errors import InvalidInput
from rally.redis import key
from rally.uow import UnitOfWork

RULES_VERSION = key("keyword-rules", "version")


class KeywordRuleCache:
    """The keyword rules held in this process (one cache screens posts, comments and display
    names), read from PostgreSQL again whenever their version in Redis differs from the one
    they were read under: a Redis GET per screening instead of reading every rule.

    Every change of the rules sets a new version after its commit (`rules_changed`), so a
    change reaches every process at its next screening. Without a version (a new or rebuilt
    Redis) one is set before the read, and the rules are kept only if that set won: a change
    committed meanwhile has set its own, and the next screening reads again."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._held: tuple[str, list[Rule]] | None = None

    async def rules(self, uow: UnitOfWork) -> list[Rule]:
        version = await self._redis.get(RULES_VERSION)
        if isinstance(version, bytes):
            version = version.decode()
        held = self._held
        if held is not None and version is not None and held[0] == version:
            return held[1]
        if version is None:
            token = uuid.uuid4().hex
            version = token if await self._redis.set(RULES_VERSION, token, nx=True) else None
        rules = await read_rules(uow)
        if version is not None:
            self._held = (version, rules)
        return rules


async def rules_changed(redis: Redis) -> None:
    """Call after committing a change of the keyword rules: every cache reads them again."""
    await redis.set(RULES_VERSION, uuid.uuid4().hex)


async def read_rules(uow: UnitOfWork) -> list[Rule]:
    rows = await uow.session.execute(
        select(KeywordRule.id, KeywordRule.normalized, KeywordRule.action))
    return [Rule(r.id, r.normalized, RuleAction(r.action)) for r in rows]


async def screen_text(uow: UnitOfWork, text: str, rules: KeywordRuleCache,
                      field: str = "body") -> Screening:
    """The screening of `text`; BLOCK refuses it (BAD_USER_INPUT, reason CONTENT_BLOCKED)."""
    result = screen(text, await rules.rules(uow))
    if result.action is RuleAction.BLOCK:
        raise InvalidInput("this text contains a blocked word", reason="CONTENT_BLOCKED",
                           ruleId=rule_global_id(result.rule_id), field=field)
    return result


def rule_global_id(rule_id: int | None) -> str:
    """The rule's global id as the API shows it (same encoding as `api.relay.to_global_id`;
    the domain may not import the API, a test holds the two together)."""
    return base64.urlsafe_b64encode(f"KeywordRule:{rule_id}".encode()).decode().rstrip("=")


async def screen_display_name(uow: UnitOfWork, name: str, rules: KeywordRuleCache) -> str:
    """A display name cannot wait for review: BLOCK and REVIEW refuse it, MASK masks it."""
    result = await screen_text(uow, name, rules, field="displayName")
    if result.action is RuleAction.REVIEW:
        raise InvalidInput("this name contains a word that is not allowed", reason="CONTENT_BLOCKED",
                           ruleId=rule_global_id(result.rule_id), field="displayName")
    return result.text

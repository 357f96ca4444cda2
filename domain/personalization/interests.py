"""Interests: declared ones (updateProfile) and ones inferred from behaviour, with decay.

Inferred scores move in the transaction of the action that taught them (bus handlers in
`handlers.py`), and only while the member allows personalization (consent granted and no
`personalizationOptOut`). Weight now = score × 0.5^(age / `interest_half_life_days`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.personalization.models import InterestSource
from domain.personalization.rules import decay_factor, decayed, normalize_interests
from domain.privacy.service import Purpose, default_for
from rally.settings import Settings
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Interest:
    tag: str
    weight: float
    source: InterestSource


@dataclass(frozen=True)
class Signal:
    """Something the member did to a post: its topics gain `score`, aged from `at`."""

    topics: list[str]
    score: float
    at: datetime


_ALLOWED = text("""
SELECT NOT m.personalization_opt_out AND COALESCE(c.granted, :default)
FROM members m
LEFT JOIN member_consents c ON c.member_id = m.id AND c.purpose = 'PERSONALIZATION'
WHERE m.id = :member_id""")


async def personalization_allowed(session: AsyncSession, settings: Settings, member_id: int) -> bool:
    """Consent to PERSONALIZATION (as of this transaction) and no opt-out on the profile."""
    allowed = await session.scalar(_ALLOWED, {
        "member_id": member_id, "default": default_for(settings, Purpose.PERSONALIZATION)})
    return bool(allowed)


async def set_explicit(uow: UnitOfWork, member_id: int, tags: list[str]) -> list[str]:
    """Replace the member's declared interests with `tags` (normalized, at most the limit)."""
    tags = normalize_interests(tags, uow.settings)
    await uow.session.execute(text(
        "DELETE FROM member_interests WHERE member_id = :m AND source = 'EXPLICIT'"
        " AND NOT tag = ANY(CAST(:tags AS varchar[]))"), {"m": member_id, "tags": tags})
    if tags:
        await uow.session.execute(text("""
            INSERT INTO member_interests (member_id, source, tag, score, scored_at)
            SELECT :m, 'EXPLICIT', t, :score, :now FROM unnest(CAST(:tags AS varchar[])) t
            ON CONFLICT (member_id, source, tag) DO NOTHING"""),
            {"m": member_id, "tags": tags, "score": uow.settings.interest_explicit_score,
             "now": await uow.now()})
    return tags


# Fold the decay of the stored score into the update: one statement for every tag.
_LEARN = text("""
INSERT INTO member_interests (member_id, source, tag, score, scored_at)
SELECT :m, 'INFERRED', t.tag, t.score, :now
FROM unnest(CAST(:tags AS varchar[]), CAST(:scores AS float8[])) AS t(tag, score)
ON CONFLICT (member_id, source, tag) DO UPDATE SET
  score = member_interests.score * power(0.5, greatest(0, extract(epoch FROM
            EXCLUDED.scored_at - member_interests.scored_at)) / :half_life) + EXCLUDED.score,
  scored_at = greatest(member_interests.scored_at, EXCLUDED.scored_at)""")


async def learn(uow: UnitOfWork, member_id: int, signals: Iterable[Signal]) -> None:
    """Add what `signals` say about the member's interests, if he allows personalization."""
    settings = uow.settings
    now = await uow.now()
    gains: dict[str, float] = defaultdict(float)
    for signal in signals:
        # A signal from the past (a DWELL sent late) has already lost part of its weight.
        aged = signal.score * decay_factor((now - signal.at).total_seconds(),
                                           settings.interest_half_life_days)
        for topic in signal.topics:
            gains[topic] += aged
    if not gains or not await personalization_allowed(uow.session, settings, member_id):
        return
    tags = sorted(gains)
    await uow.session.execute(_LEARN, {
        "m": member_id, "now": now, "tags": tags, "scores": [gains[t] for t in tags],
        "half_life": settings.interest_half_life_days * 86400})


# Taking back: decay the stored score to now, subtract, never below zero; a tag the member
# has no inferred row for has nothing to give back.
_UNLEARN = text("""
UPDATE member_interests i SET
  score = greatest(0, i.score * power(0.5, greatest(0, extract(epoch FROM
            CAST(:now AS timestamptz) - i.scored_at)) / :half_life) - t.score),
  scored_at = greatest(i.scored_at, CAST(:now AS timestamptz))
FROM unnest(CAST(:tags AS varchar[]), CAST(:scores AS float8[])) AS t(tag, score)
WHERE i.member_id = :m AND i.source = 'INFERRED' AND i.tag = t.tag""")


async def unlearn(uow: UnitOfWork, member_id: int, signal: Signal) -> None:
    """Take back what `signal` taught when it happened (a withdrawn reaction), as decayed
    since: `learn` of the same signal followed by `unlearn` leaves the scores as they were."""
    settings = uow.settings
    now = await uow.now()
    aged = signal.score * decay_factor((now - signal.at).total_seconds(),
                                       settings.interest_half_life_days)
    tags = sorted(set(signal.topics))
    if not tags or not await personalization_allowed(uow.session, settings, member_id):
        return
    await uow.session.execute(_UNLEARN, {
        "m": member_id, "now": now, "tags": tags, "scores": [aged] * len(tags),
        "half_life": settings.interest_half_life_days * 86400})


async def interests_of(session: AsyncSession, settings: Settings, member_id: int,
                       now: datetime) -> list[Interest]:
    """The member's interests, strongest first, with inferred weights decayed to `now`."""
    rows = await session.execute(text(
        "SELECT tag, source, score, scored_at FROM member_interests WHERE member_id = :m"),
        {"m": member_id})
    interests = [
        Interest(r.tag, round(r.score if r.source == InterestSource.EXPLICIT else
                              decayed(r.score, r.scored_at, now, settings.interest_half_life_days), 4),
                 InterestSource(r.source))
        for r in rows]
    return sorted(interests, key=lambda i: (-i.weight, i.tag, i.source))


class InterestService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    async def interests(self, member_id: int) -> list[Interest]:
        async with self._uow() as uow:
            return await interests_of(uow.session, uow.settings, member_id, await uow.now())

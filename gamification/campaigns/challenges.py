"""Challenges: configured by marketers, joined by members, progressed by domain events.

Progress is counted in `progress.py` by bus handlers inside the acting transaction; this
module owns the configuration, joining and the reads (leaderboard, report).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from domain.audit.service import record as audit
from domain.pagination import Page, PageRequest
from domain.personalization.audience import member_matches
from domain.personalization.models import Segment
from domain.personalization.rules import SegmentRule, SegmentRuleKind
from gamification.campaigns import rules
from gamification.campaigns.challenge_report import (
    ChallengeReport,
    challenge_report,
    count_challenge_day,
)
from gamification.campaigns.events import ChallengeJoined
from gamification.campaigns.minigames import require_campaigns
from gamification.campaigns.models import Challenge, ChallengeAction, ChallengeParticipant
from gamification.campaigns.rules import ChallengeStatus
from rally.errors import Conflict, Forbidden, InvalidInput, NotFound
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class ChallengeDraft:
    title: str
    action: ChallengeAction
    target: int
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    cover_url: str | None = None
    topic: str | None = None
    reward_points: int | None = None
    reward_badge_id: int | None = None
    reward_coupon_campaign_id: int | None = None
    segment_min_level: int | None = None
    segment_interest: str | None = None
    segment_id: int | None = None  # a marketer's saved segment (personalization)
    participant_cap: int | None = None


# Once a challenge has started these cannot change: members joined on these terms.
FROZEN_ONCE_STARTED = frozenset({"target", "starts_at", "ends_at", "reward_points",
                                 "reward_badge_id", "reward_coupon_campaign_id"})
EDITABLE = FROZEN_ONCE_STARTED | {"title", "description", "cover_url", "participant_cap"}

_TAKE_SEAT = text(
    "UPDATE challenges SET participant_count = participant_count + 1 WHERE id = :id"
    " AND (participant_cap IS NULL OR participant_count < participant_cap)"
    " RETURNING participant_count")


@dataclass(frozen=True)
class BoardEntry:
    rank: int
    member_id: int
    progress: int
    completed_at: datetime | None
    reached_at: datetime


class ChallengeService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        s = uow_factory.settings
        self._max_target = s.challenge_max_target
        self._max_points = s.campaign_max_points

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validates whichever terms are present (create passes all of them)."""
        out = dict(values)
        if "title" in out:
            out["title"] = rules.title(out["title"])
        if "description" in out:
            out["description"] = rules.long_text(out["description"], "description")
        if "cover_url" in out:
            out["cover_url"] = rules.url(out["cover_url"], "coverUrl")
        if "target" in out:
            out["target"] = rules.positive(out["target"], "target", self._max_target)
        if out.get("reward_points") is not None:
            rules.not_negative(out["reward_points"], "rewards.points", self._max_points)
        if out.get("participant_cap") is not None:
            rules.positive(out["participant_cap"], "participantCap", 10_000_000)
        if out.get("segment_min_level") is not None:
            rules.positive(out["segment_min_level"], "segment.minLevel", 100)
        if "segment_interest" in out:
            out["segment_interest"] = rules.topic(out["segment_interest"])
        return out

    async def create(self, actor_id: int, draft: ChallengeDraft) -> Challenge:
        values = self._checked({f.name: getattr(draft, f.name) for f in fields(draft)})
        values["topic"] = rules.challenge_action(draft.action, draft.topic)
        values["action"] = draft.action.value
        rules.window(draft.starts_at, draft.ends_at)
        challenge = Challenge(**values, created_by=actor_id, participant_count=0, ended_at=None)
        async with self._uow_factory() as uow:
            await require_campaigns(uow, [draft.reward_coupon_campaign_id],
                                     "rewards.couponCampaignId")
            if draft.segment_id is not None and await uow.session.get(Segment, draft.segment_id) \
                    is None:
                raise InvalidInput("no such segment", field="segmentId")
            uow.session.add(challenge)
            await uow.session.flush()
            await audit(uow, actor_id=actor_id, action="CREATE_CHALLENGE",
                        target_type="CHALLENGE", target_id=challenge.id,
                        after={"title": challenge.title, "action": challenge.action,
                               "target": challenge.target})
            await uow.commit()
        return challenge

    async def update(self, actor_id: int, challenge_id: int, changes: dict[str, Any]
                     ) -> Challenge:
        if unknown := set(changes) - EDITABLE:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}")
        values = self._checked(changes)
        async with self._uow_factory() as uow:
            challenge = await self._get(uow, challenge_id, lock=True)
            now = await uow.now()
            if now >= challenge.starts_at and (frozen := FROZEN_ONCE_STARTED & set(values)):
                raise Conflict("the challenge has started: its target, rewards and window are "
                               "frozen", reason="CHALLENGE_STARTED", fields=sorted(frozen))
            if "reward_coupon_campaign_id" in values:
                await require_campaigns(uow, [values["reward_coupon_campaign_id"]],
                                         "rewards.couponCampaignId")
            cap = values.get("participant_cap")
            if cap is not None and cap < challenge.participant_count:
                raise Conflict(f"{challenge.participant_count} members already joined",
                               field="participantCap")
            rules.window(values.get("starts_at", challenge.starts_at),
                         values.get("ends_at", challenge.ends_at))
            for name, value in values.items():
                setattr(challenge, name, value)
            await audit(uow, actor_id=actor_id, action="UPDATE_CHALLENGE",
                        target_type="CHALLENGE", target_id=challenge.id,
                        after={k: str(v) for k, v in values.items()})
            await uow.commit()
        return challenge

    async def end(self, actor_id: int, challenge_id: int) -> Challenge:
        async with self._uow_factory() as uow:
            challenge = await self._get(uow, challenge_id, lock=True)
            now = await uow.now()
            if rules.challenge_status(challenge.starts_at, challenge.ends_at,
                                      challenge.ended_at, now) == ChallengeStatus.ENDED:
                raise Conflict("the challenge has already ended", reason="CHALLENGE_ENDED")
            challenge.ended_at = now
            await audit(uow, actor_id=actor_id, action="END_CHALLENGE",
                        target_type="CHALLENGE", target_id=challenge.id)
            await uow.commit()
        return challenge

    async def challenges(self, status: ChallengeStatus | None, page: PageRequest
                         ) -> Page[Challenge]:
        async with self._uow_factory() as uow:
            now = await uow.now()
            query = select(Challenge)
            if status == ChallengeStatus.UPCOMING:
                query = query.where(Challenge.starts_at > now, Challenge.ended_at.is_(None))
            elif status == ChallengeStatus.ACTIVE:
                query = query.where(Challenge.starts_at <= now, Challenge.ends_at > now,
                                    Challenge.ended_at.is_(None))
            elif status == ChallengeStatus.ENDED:
                query = query.where((Challenge.ends_at <= now) | Challenge.ended_at.is_not(None))
            if page.after is not None:
                query = query.where(Challenge.id < page.after[0])
            rows = list((await uow.session.scalars(
                query.order_by(Challenge.id.desc()).limit(page.first + 1))).all())
        return Page(rows[: page.first], len(rows) > page.first)

    async def challenge(self, challenge_id: int) -> Challenge:
        async with self._uow_factory() as uow:
            return await self._get(uow, challenge_id)

    async def _get(self, uow: UnitOfWork, challenge_id: int, lock: bool = False) -> Challenge:
        challenge = await uow.session.get(Challenge, challenge_id, with_for_update=lock)
        if challenge is None:
            raise NotFound("no such challenge", field="challengeId")
        return challenge

    async def report(self, challenge_id: int) -> ChallengeReport:
        async with self._uow_factory() as uow:
            challenge = await self._get(uow, challenge_id)
            return await challenge_report(uow, challenge.id)

    # --- members -------------------------------------------------------------------------

    async def join(self, member_id: int, challenge_id: int) -> ChallengeParticipant:
        async with self._uow_factory() as uow:
            challenge = await self._get(uow, challenge_id)
            now = await uow.now()
            status = rules.challenge_status(challenge.starts_at, challenge.ends_at,
                                            challenge.ended_at, now)
            if status != ChallengeStatus.ACTIVE:
                raise Conflict(f"the challenge is {status.value.lower()}: join it while it "
                               "runs", reason=f"CHALLENGE_{status.value}")
            if not await member_matches(uow.session, member_id, _audience(challenge),
                                        challenge.segment_id, uow.settings, now):
                raise Forbidden("this challenge is for another audience"
                                + (f" (level {challenge.segment_min_level} and above)"
                                   if challenge.segment_min_level else ""),
                                reason="OUTSIDE_SEGMENT")
            joined = (await uow.session.execute(
                pg_insert(ChallengeParticipant).values(
                    challenge_id=challenge_id, member_id=member_id, progress=0, joined_at=now,
                    reached_at=now).on_conflict_do_nothing().returning(
                    ChallengeParticipant.member_id))).first()
            if joined is None:
                raise Conflict("you already joined this challenge", reason="ALREADY_JOINED")
            # The seat is the challenge's hot row: taken last, held only until commit.
            if (await uow.session.execute(_TAKE_SEAT, {"id": challenge_id})).first() is None:
                raise Conflict("this challenge is full", reason="CHALLENGE_FULL")
            await count_challenge_day(uow, challenge_id, {"joined": 1})
            await uow.publish(ChallengeJoined(challenge_id=challenge_id, member_id=member_id))
            await uow.commit()
        return ChallengeParticipant(challenge_id=challenge_id, member_id=member_id, progress=0,
                                    joined_at=now, reached_at=now, completed_at=None)

    async def leaderboard(self, challenge_id: int, first: int, offset: int
                          ) -> Page[BoardEntry]:
        """Most progress first, then who reached it first; ranks 1..N in that order."""
        async with self._uow_factory() as uow:
            await self._get(uow, challenge_id)
            rows = (await uow.session.execute(
                select(ChallengeParticipant).where(
                    ChallengeParticipant.challenge_id == challenge_id).order_by(
                    ChallengeParticipant.progress.desc(), ChallengeParticipant.reached_at,
                    ChallengeParticipant.member_id).offset(offset).limit(first + 1))).scalars()
            entries = [BoardEntry(offset + i + 1, p.member_id, p.progress, p.completed_at,
                                  p.reached_at) for i, p in enumerate(rows)]
        return Page(entries[:first], len(entries) > first)


def _audience(challenge: Challenge) -> list[SegmentRule]:
    """The challenge's inline segment as segment rules (same predicates as saved segments)."""
    audience = []
    if challenge.segment_min_level is not None:
        audience.append(SegmentRule(SegmentRuleKind.LEVEL_AT_LEAST, challenge.segment_min_level))
    if challenge.segment_interest:
        audience.append(SegmentRule(SegmentRuleKind.INTEREST, challenge.segment_interest))
    return audience

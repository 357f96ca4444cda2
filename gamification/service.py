"""Gamification use cases: point rules, the member's ledger and figures, check-ins, badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from domain.audit.service import record as audit
from domain.pagination import Page, PageRequest, keyset_page
from gamification import rules
from gamification.earning import rule_for, rule_of
from gamification.events import CheckedIn
from gamification.ledger import Source, append_entry, award_badges
from gamification.models import Badge, CheckIn, MemberBadge, MemberPoints, PointEntry, PointRule
from gamification.rules import Action, Criterion, EntryReason
from rally import idempotency
from rally.clock import brand_day, next_month_start
from rally.errors import Conflict, InvalidInput, NotFound
from rally.reward import BadgeEarned, LevelReached, Reward
from rally.sql import Sql
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class CheckInResult:
    day: date
    streak: int
    reward: Reward


@dataclass(frozen=True)
class BadgeDraft:
    name: str
    description: str
    criterion: Criterion
    bronze: int
    silver: int | None
    gold: int | None
    icon_url: str | None


def reward_to_json(reward: Reward) -> dict[str, Any]:
    return {"points": reward.points, "notes": reward.notes,
            "badges": [[b.badge_id, b.tier] for b in reward.badges],
            "levelUp": [reward.level_up.number, reward.level_up.name] if reward.level_up else None}


def reward_from_json(data: dict[str, Any]) -> Reward:
    level = data.get("levelUp")
    return Reward(points=data.get("points", 0), notes=list(data.get("notes", [])),
                  badges=[BadgeEarned(b[0], b[1]) for b in data.get("badges", [])],
                  level_up=LevelReached(level[0], level[1]) if level else None)


# A check-in's first round trip: claim the idempotency key, and only when claimed, lock the
# member's figures row (one upsert creates it if needed and takes the lock); with the
# transaction's time and the check-in rule. ON CONFLICT DO UPDATE locks and returns the
# row's latest committed version, whatever the statement's snapshot.
_CLAIM_AND_LOCK = Sql("""
WITH k AS (
  INSERT INTO idempotency_keys (member_id, operation, key, request_hash)
  VALUES (:m, 'checkIn', :key, :hash) ON CONFLICT DO NOTHING RETURNING 1
), f AS (
  INSERT INTO member_points (member_id) SELECT :m FROM k
  ON CONFLICT (member_id) DO UPDATE SET member_id = excluded.member_id
  RETURNING streak, best_streak, last_check_in
)
SELECT now() AS now, EXISTS (SELECT 1 FROM k) AS claimed, f.streak, f.best_streak,
       f.last_check_in, r.points, r.daily_cap, r.once_per_target,
       (SELECT min(bronze) FROM badges WHERE active AND criterion = 'CHECK_IN_STREAK')
         AS first_streak_tier
FROM (SELECT 1) AS one LEFT JOIN f ON true LEFT JOIN point_rules r ON r.action = 'CHECK_IN'
""")
# Its last: the check-in row, the streak, and the answer a replay of the key gets.
_RECORD_CHECK_IN = Sql("""
WITH c AS (
  INSERT INTO check_ins (member_id, day, streak, points) VALUES (:m, :d, :s, :p)
), k AS (
  UPDATE idempotency_keys SET response = CAST(:response AS jsonb)
  WHERE member_id = :m AND operation = 'checkIn' AND key = :key
)
UPDATE member_points SET streak = :s, best_streak = GREATEST(best_streak, :s),
       last_check_in = :d WHERE member_id = :m
""")
_NO_REQUEST = idempotency.fingerprint({})


class GamificationService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self.settings = uow_factory.settings
        rules.check_levels(self.settings.level_names, self.settings.level_thresholds)

    # --- point rules --------------------------------------------------------------------

    async def point_rules(self) -> list[Any]:
        async with self._uow_factory() as uow:
            return [await rule_for(uow, action) for action in Action]

    async def set_point_rule(self, actor_id: int, action: Action, points: int,
                             daily_cap: int | None, once_per_target: bool) -> Any:
        s = self.settings
        rules.check_rule(points, daily_cap, s.point_rule_max_points, s.point_rule_max_daily_cap)
        async with self._uow_factory() as uow:
            before = await rule_for(uow, action)
            values = dict(points=points, daily_cap=daily_cap, once_per_target=once_per_target,
                          updated_by=actor_id, updated_at=await uow.now())
            await uow.session.execute(insert(PointRule).values(action=action.value, **values)
                                      .on_conflict_do_update(index_elements=["action"],
                                                             set_=values))
            await audit(uow, actor_id=actor_id, action="SET_POINT_RULE", target_type="POINT_RULE",
                        target_id=0, before=_rule_view(before),
                        after={"action": action.value, "points": points, "dailyCap": daily_cap,
                               "oncePerTarget": once_per_target})
            rule = await rule_for(uow, action)
            await uow.commit()
        return rule

    # --- the member's ledger and figures ----------------------------------------------------

    async def history(self, member_id: int, page: PageRequest) -> Page[PointEntry]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session,
                                     select(PointEntry).where(PointEntry.member_id == member_id),
                                     PointEntry.id, page)

    async def figures(self, member_id: int) -> MemberPoints | None:
        async with self._uow_factory() as uow:
            return await uow.session.get(MemberPoints, member_id)

    # --- check-in -----------------------------------------------------------------------

    async def check_in(self, member_id: int, idempotency_key: str) -> CheckInResult:
        """Once per brand day; the same key answers the first result; a missed day resets."""
        idempotency.check_key(idempotency_key)
        async with self._uow_factory() as uow:
            figures = await uow.fetchrow(_CLAIM_AND_LOCK, {
                "m": member_id, "key": idempotency_key, "hash": _NO_REQUEST})
            assert figures is not None  # the statement always answers one row
            if not figures.claimed:
                stored = await idempotency.stored_response(uow, member_id, "checkIn",
                                                           idempotency_key, _NO_REQUEST)
                return CheckInResult(date.fromisoformat(stored["day"]), stored["streak"],
                                     reward_from_json(stored["reward"]))
            uow.know_now(figures.now)
            today = brand_day(figures.now, self.settings.tz)
            # The member's row lock serializes his check-ins: of 100 concurrent calls one
            # sees no check-in today, the others wait and then see it.
            if figures.last_check_in == today:
                raise Conflict("already checked in today", nextCheckInDay=str(today))
            streak = rules.next_streak(figures.last_check_in, figures.streak, today)
            rule = rule_of(Action.CHECK_IN, figures)
            bonus = self.settings.check_in_milestones.get(streak, 0)
            key = f"CHECK_IN:{member_id}:{today}"
            if rule.points:
                await append_entry(uow, member_id, delta=rule.points, earned=rule.points,
                                   reason=Action.CHECK_IN.value, source=Source("CHECK_IN", None),
                                   key=key, note=f"day {streak}")
            if bonus:
                await append_entry(uow, member_id, delta=bonus, earned=bonus,
                                   reason=EntryReason.CHECK_IN_BONUS.value,
                                   source=Source("CHECK_IN", None), key=key + ":bonus",
                                   note=f"{streak}-day streak")
            # A new best streak may reach a badge tier; none can below the lowest bronze of
            # the active streak badges (read with the claim: no round trip when none is near).
            if (streak > figures.best_streak and figures.first_streak_tier is not None
                    and streak >= figures.first_streak_tier):
                await award_badges(uow, member_id, "best_streak", streak)
            await uow.publish(CheckedIn(member_id=member_id, day=today.isoformat(), streak=streak))
            result = CheckInResult(today, streak, uow.reward)
            await uow.execute(_RECORD_CHECK_IN, {
                "m": member_id, "d": today, "s": streak, "p": rule.points + bonus,
                "key": idempotency_key, "response": orjson.dumps({
                    "day": today.isoformat(), "streak": streak,
                    "reward": reward_to_json(uow.reward)}).decode()})
            await uow.commit()
        return result

    async def check_in_calendar(self, member_id: int, month: date) -> list[CheckIn]:
        first = month.replace(day=1)
        async with self._uow_factory() as uow:
            return list((await uow.session.scalars(
                select(CheckIn).where(CheckIn.member_id == member_id, CheckIn.day >= first,
                                      CheckIn.day < next_month_start(first))
                .order_by(CheckIn.day))).all())

    # --- badges -------------------------------------------------------------------------

    async def badges(self, include_inactive: bool = False) -> list[Badge]:
        query = select(Badge).order_by(Badge.id)
        if not include_inactive:
            query = query.where(Badge.active)
        async with self._uow_factory() as uow:
            return list((await uow.session.scalars(query)).all())

    async def badge(self, badge_id: int) -> Badge:
        async with self._uow_factory() as uow:
            found = await uow.session.get(Badge, badge_id)
        if found is None:
            raise NotFound("no such badge", field="badgeId")
        return found

    async def create_badge(self, actor_id: int, draft: BadgeDraft) -> Badge:
        badge = Badge(**_badge_values(draft, self.settings.badge_max_threshold),
                      created_by=actor_id, active=True)
        async with self._uow_factory() as uow:
            count = await uow.session.scalar(select(func.count()).select_from(Badge))
            if (count or 0) >= self.settings.badge_max_count:
                raise Conflict(f"the catalogue holds at most {self.settings.badge_max_count} badges")
            await self._unique_name(uow, badge.name, None)
            uow.session.add(badge)
            await uow.session.flush()
            await audit(uow, actor_id=actor_id, action="CREATE_BADGE", target_type="BADGE",
                        target_id=badge.id, after={"name": badge.name})
            await uow.commit()
        return badge

    async def update_badge(self, actor_id: int, badge_id: int, changes: dict[str, Any]) -> Badge:
        async with self._uow_factory() as uow:
            badge = await uow.session.get(Badge, badge_id, with_for_update=True)
            if badge is None:
                raise NotFound("no such badge", field="badgeId")
            merged = BadgeDraft(
                name=changes.get("name", badge.name),
                description=changes.get("description", badge.description),
                criterion=Criterion(badge.criterion), bronze=changes.get("bronze", badge.bronze),
                silver=changes.get("silver", badge.silver), gold=changes.get("gold", badge.gold),
                icon_url=changes.get("icon_url", badge.icon_url))
            for field, value in _badge_values(merged, self.settings.badge_max_threshold).items():
                setattr(badge, field, value)
            if "active" in changes and changes["active"] is not None:
                badge.active = bool(changes["active"])
            await self._unique_name(uow, badge.name, badge.id)
            badge.updated_at = await uow.now()
            await uow.session.flush()
            await audit(uow, actor_id=actor_id, action="UPDATE_BADGE", target_type="BADGE",
                        target_id=badge.id, after={"name": badge.name, "active": badge.active})
            await uow.commit()
        return badge

    @staticmethod
    async def _unique_name(uow: UnitOfWork, name: str, badge_id: int | None) -> None:
        query = select(Badge.id).where(func.lower(Badge.name) == name.lower())
        if badge_id is not None:
            query = query.where(Badge.id != badge_id)
        if await uow.session.scalar(query):
            raise Conflict("a badge with this name exists", field="name")

    async def member_badges(self, member_id: int) -> list[MemberBadge]:
        async with self._uow_factory() as uow:
            return list((await uow.session.scalars(
                select(MemberBadge).where(MemberBadge.member_id == member_id)
                .order_by(MemberBadge.awarded_at, MemberBadge.badge_id))).all())


def _rule_view(rule: Any) -> dict[str, Any]:
    return {"points": rule.points, "dailyCap": rule.daily_cap,
            "oncePerTarget": rule.once_per_target}


def _badge_values(draft: BadgeDraft, maximum: int) -> dict[str, Any]:
    name = draft.name.strip()
    if not 2 <= len(name) <= 60:
        raise InvalidInput("name must be 2–60 characters", field="name")
    if len(draft.description) > 300:
        raise InvalidInput("description must be at most 300 characters", field="description")
    if draft.icon_url is not None and (len(draft.icon_url) > 2048
                                       or not draft.icon_url.startswith(("https://", "http://"))):
        raise InvalidInput("iconUrl must be an http(s) URL", field="iconUrl")
    rules.check_badge_thresholds(draft.criterion, draft.bronze, draft.silver, draft.gold, maximum)
    return {"name": name, "description": draft.description.strip(),
            "criterion": draft.criterion.value, "bronze": draft.bronze, "silver": draft.silver,
            "gold": draft.gold, "icon_url": draft.icon_url}




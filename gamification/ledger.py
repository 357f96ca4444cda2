"""The points ledger: every change of points is an appended `point_entries` row.

Public API (used by handlers here and by the campaigns module later), always inside the
caller's unit of work so points, level, badges and events commit with the action:

    await award(uow, member_id, 10, "CHALLENGE_COMPLETED", Source("CHALLENGE", 7), key)
    await spend(uow, member_id, 200, "REWARD_REDEEMED", Source("CATALOG_ITEM", 3), key)

`key` is unique across the ledger: the same key never pays twice (a repeat returns 0).
One statement appends the entry and moves `member_points` and the period sums together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.notifications.service import NotificationKind, notify
from gamification import rules
from gamification.events import BadgeAwarded, LevelChanged, PointsChanged
from rally.clock import brand_day
from rally.errors import Conflict, InvalidInput
from rally.reward import BadgeEarned, LevelReached
from rally.sql import Sql
from rally.uow import UnitOfWork


@dataclass(frozen=True)
class Source:
    """What the points are for: a post, a comment, a challenge, a game…"""

    type: str | None = None
    id: int | None = None


_APPEND = Sql("""
WITH e AS (
  INSERT INTO point_entries (member_id, delta, earned, reason, source_type, source_id, note,
                             idempotency_key, reverses_id, created_at)
  VALUES (:m, :delta, :earned, :reason, :stype, :sid, :note, :key, :reverses, :now)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id
), m AS (
  INSERT INTO member_points (member_id, balance, lifetime, version, reached_at)
  SELECT :m, GREATEST(:delta, 0), :earned, 1, :now FROM e
  ON CONFLICT (member_id) DO UPDATE SET
    balance = member_points.balance + :delta,
    lifetime = member_points.lifetime + :earned,
    version = member_points.version + 1,
    reached_at = CASE WHEN :earned > 0 THEN excluded.reached_at
                      ELSE member_points.reached_at END
  RETURNING balance, lifetime, level, version, reached_at
), p AS (
  INSERT INTO period_points (kind, period_start, member_id, score, reached_at)
  SELECT v.kind, v.start, :m, :earned, :now
  FROM e, (VALUES ('WEEKLY', CAST(:week AS date)), ('MONTHLY', CAST(:month AS date))) v(kind, start)
  WHERE :earned <> 0
  ON CONFLICT (kind, period_start, member_id) DO UPDATE SET
    score = period_points.score + excluded.score,
    reached_at = CASE WHEN excluded.score > 0 THEN excluded.reached_at
                      ELSE period_points.reached_at END
  RETURNING kind, period_start, score, reached_at
)
SELECT (SELECT id FROM e) AS entry_id, m.balance, m.lifetime, m.level, m.version, m.reached_at,
       (SELECT array_agg(ARRAY[p.kind, p.period_start::text, p.score::text,
                               p.reached_at::text]) FROM p) AS periods
FROM m
""")

_SPEND = Sql("""
UPDATE member_points SET balance = balance - :n, version = version + 1
WHERE member_id = :m AND balance >= :n
RETURNING balance, lifetime, level, version, reached_at
""")


_SPEND_ENTRY = Sql(
    "INSERT INTO point_entries (member_id, delta, earned, reason, source_type, source_id,"
    " note, idempotency_key, created_at) VALUES (:m, :d, 0, :r, :st, :si, :note, :k, :now)"
    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id")
_BALANCE = Sql("SELECT balance FROM member_points WHERE member_id = :m")
_SET_LEVEL = Sql("UPDATE member_points SET level = :l WHERE member_id = :m")


@dataclass(frozen=True)
class Appended:
    entry_id: int
    delta: int
    earned: int
    balance: int
    lifetime: int


async def append_entry(uow: UnitOfWork, member_id: int, *, delta: int, earned: int, reason: str,
                       source: Source, key: str, note: str = "", reverses_id: int | None = None,
                       to_reward: bool = True) -> Appended | None:
    """Append one entry and move the sums with it; None when `key` was already used."""
    if len(key) > 200:
        raise InvalidInput("ledger keys are at most 200 characters")
    now = await uow.now()
    day = brand_day(now, uow.settings.tz)
    week = rules.period_of(rules.BoardKind.WEEKLY, day).start
    month = rules.period_of(rules.BoardKind.MONTHLY, day).start
    row = await uow.fetchrow(_APPEND, {
        "m": member_id, "delta": delta, "earned": earned, "reason": reason,
        "stype": source.type, "sid": source.id, "note": note[:200], "key": key,
        "reverses": reverses_id, "now": now, "week": week, "month": month,
    })
    if row is None:
        return None
    periods = {p[0]: (p[1], int(p[2]), _iso(p[3])) for p in (row.periods or [])}
    await _follow_lifetime(uow, member_id, row.lifetime - earned, row, to_reward)
    await uow.publish(PointsChanged(
        member_id=member_id, version=row.version, delta=delta, earned=earned, reason=reason,
        balance=row.balance, lifetime=row.lifetime, reached_at=row.reached_at.isoformat(),
        weekly=periods.get("WEEKLY"), monthly=periods.get("MONTHLY")))
    if to_reward:
        uow.reward.points += delta
    return Appended(row.entry_id, delta, earned, row.balance, row.lifetime)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def award(uow: UnitOfWork, member_id: int, points: int, reason: str, source: Source,
                key: str, *, note: str = "", to_reward: bool = True) -> int:
    """Credit `points` (balance and lifetime); the points paid, 0 if `key` was used."""
    if points < 0:
        raise InvalidInput("award a positive number of points; use spend to take them")
    if points == 0:
        return 0
    done = await append_entry(uow, member_id, delta=points, earned=points, reason=reason,
                              source=source, key=key, note=note, to_reward=to_reward)
    return points if done else 0


async def spend(uow: UnitOfWork, member_id: int, points: int, reason: str, source: Source,
                key: str, *, note: str = "") -> int:
    """Take `points` from the balance (never the lifetime), race-free, never below zero.

    Raises Conflict("insufficient points") and the caller's unit of work rolls back.
    Returns the balance after; a repeated key spends nothing again.
    """
    if points <= 0:
        raise InvalidInput("spend a positive number of points", field="points")
    inserted = await uow.fetchrow(_SPEND_ENTRY, {
        "m": member_id, "d": -points, "r": reason, "st": source.type, "si": source.id,
        "note": note[:200], "k": key, "now": await uow.now()})
    if inserted is None:  # a replay: the first call spent them
        return int(await uow.fetchval(_BALANCE, {"m": member_id}) or 0)
    # The conditional UPDATE is the race guard: of two spends covering one balance, the
    # second waits for the first's row lock, then finds the balance too low.
    moved = await uow.fetchrow(_SPEND, {"m": member_id, "n": points})
    if moved is None:
        raise Conflict("insufficient points", needed=points)
    await uow.publish(PointsChanged(
        member_id=member_id, version=moved.version, delta=-points, earned=0, reason=reason,
        balance=moved.balance, lifetime=moved.lifetime,
        reached_at=moved.reached_at.isoformat()))
    uow.reward.points -= points
    return int(moved.balance)


async def _follow_lifetime(uow: UnitOfWork, member_id: int, before: int, row: Any,
                           to_reward: bool) -> None:
    """Level and points milestones follow the lifetime earned (spending never demotes)."""
    s = uow.settings
    level = rules.level_for(row.lifetime, s.level_names, s.level_thresholds)
    if level.number != row.level:
        await uow.execute(_SET_LEVEL, {"l": level.number, "m": member_id})
        await uow.publish(LevelChanged(member_id=member_id, number=level.number,
                                       name=level.name, previous=row.level))
        if level.number > row.level:
            if to_reward:
                uow.reward.level_up = LevelReached(level.number, level.name)
            await notify(uow, member_id=member_id, kind=NotificationKind.LEVEL_UP,
                         data={"level": level.number, "name": level.name})
    for milestone in rules.milestones_crossed(before, row.lifetime, s.points_milestones):
        await notify(uow, member_id=member_id, kind=NotificationKind.POINTS,
                     data={"milestone": milestone, "lifetime": row.lifetime})


# The badge tiers judged on one of `:criteria` that a counter's value reaches, inserted into
# member_badges (awarded at the transaction's time); `{value}` is the counter's value, a
# parameter or a column of what is `{joined}`.
_TIERS_REACHED = """
INSERT INTO member_badges (member_id, badge_id, tier, awarded_at)
SELECT :m, b.id, t.tier, now()
FROM badges b
CROSS JOIN LATERAL (VALUES ('BRONZE', b.bronze), ('SILVER', b.silver), ('GOLD', b.gold))
  AS t(tier, threshold)
{joined}
WHERE b.active AND b.criterion = ANY(:criteria) AND t.threshold IS NOT NULL
  AND t.threshold <= {value}
ON CONFLICT DO NOTHING
RETURNING badge_id, tier"""
_AWARD_BADGES = Sql(_TIERS_REACHED.format(joined="", value=":value"))


async def bump_counter(uow: UnitOfWork, member_id: int, counter: str, by: int = 1, *,
                       to_reward: bool = True) -> int:
    """Move one badge counter and award the badge tiers it reaches; the new value.

    One round trip: the counter's upsert and the badges its new value reaches."""
    if counter not in _BUMPS:
        raise ValueError(f"unknown counter {counter}")
    row = await uow.fetchrow(_BUMPS[counter], {
        "m": member_id, "by": by,
        "criteria": _criteria_of(counter) if by > 0 else []})
    assert row is not None  # the upsert always answers its row
    await _badges_awarded(uow, member_id, [BadgeEarned(int(b[0]), b[1]) for b in row.badges],
                          to_reward)
    return int(row.value)


_COUNTERS = set(rules.CRITERION_COUNTER.values()) | {"shares", "streak"}
_BUMPS = {counter: Sql(f"""
WITH c AS (
  INSERT INTO member_points (member_id, {counter}) VALUES (:m, GREATEST(:by, 0))
  ON CONFLICT (member_id) DO UPDATE SET {counter} = GREATEST(member_points.{counter} + :by, 0)
  RETURNING {counter} AS value
), b AS ({_TIERS_REACHED.format(joined="CROSS JOIN c", value="c.value")})
SELECT c.value, ARRAY(SELECT ARRAY[b.badge_id::text, b.tier] FROM b
                      ORDER BY b.badge_id, array_position(ARRAY['BRONZE', 'SILVER', 'GOLD'],
                                                          CAST(b.tier AS text))) AS badges
FROM c""") for counter in _COUNTERS}


def _criteria_of(counter: str) -> list[str]:
    return [c.value for c, name in rules.CRITERION_COUNTER.items() if name == counter]


async def award_badges(uow: UnitOfWork, member_id: int, counter: str, value: int, *,
                       to_reward: bool = True) -> list[BadgeEarned]:
    """Every badge tier judged on `counter` that `value` reaches and the member lacks."""
    criteria = _criteria_of(counter)
    if not criteria:
        return []
    rows = await uow.fetch(_AWARD_BADGES, {
        "m": member_id, "criteria": criteria, "value": value})
    earned = [BadgeEarned(int(r.badge_id), r.tier) for r in rows]
    await _badges_awarded(uow, member_id, earned, to_reward)
    return earned


async def _badges_awarded(uow: UnitOfWork, member_id: int, earned: list[BadgeEarned],
                          to_reward: bool) -> None:
    """Announce badge tiers just inserted: the event, the member's notification, the reward."""
    for badge in earned:
        await uow.publish(BadgeAwarded(member_id=member_id, badge_id=badge.badge_id,
                                       tier=badge.tier))
        await notify(uow, member_id=member_id, kind=NotificationKind.BADGE,
                     subject_type="BADGE", subject_id=badge.badge_id, data={"tier": badge.tier})
        if to_reward:
            uow.reward.badges.append(badge)

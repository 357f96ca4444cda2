"""Paying an action by its rule, and taking points back when the content goes.

`earn` applies the action's rule (points, daily cap in the brand's day, once per target);
`reverse_content` / `restore_content` follow moderation; `withdraw` follows an unreact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from gamification.ledger import Source, append_entry
from gamification.rules import DEFAULT_RULES, Action, EntryReason
from rally.clock import brand_day
from rally.sql import Sql
from rally.uow import UnitOfWork


@dataclass(frozen=True)
class Rule:
    action: Action
    points: int
    daily_cap: int | None
    once_per_target: bool


_RULE = Sql("SELECT points, daily_cap, once_per_target FROM point_rules WHERE action = :a")


async def rule_for(uow: UnitOfWork, action: Action) -> Rule:
    """The stored rule; the built-in default when none is stored."""
    return rule_of(action, await uow.fetchrow(_RULE, {"a": action.value}))


def rule_of(action: Action, row: Any) -> Rule:
    """The rule from a row with `points, daily_cap, once_per_target` (a LEFT JOIN of
    point_rules: null points, no stored rule); the built-in default when none is stored."""
    if row is None or row.points is None:
        return Rule(action, *DEFAULT_RULES[action])
    return Rule(action, row.points, row.daily_cap, row.once_per_target)


# The hot path of earning, one round trip: the rule (the stored one, else the built-in
# default passed in), whether either candidate key was used, and, when the action would pay,
# one more count in the member's day for the action, taken only while under the daily cap
# (the counter row's lock keeps concurrent actions from both taking the last slot).
_EARNING = Sql("""
WITH r AS (
  SELECT coalesce(s.points, :default_points) AS points,
         CASE WHEN s.points IS NULL THEN CAST(:default_cap AS integer) ELSE s.daily_cap END
           AS daily_cap,
         coalesce(s.once_per_target, :default_once) AS once_per_target,
         EXISTS (SELECT 1 FROM point_entries WHERE idempotency_key = :once) AS once_used,
         EXISTS (SELECT 1 FROM point_entries WHERE idempotency_key = :each) AS each_used
  FROM (SELECT 1) AS one LEFT JOIN point_rules s ON s.action = :action
), counted AS (
  INSERT INTO point_daily_counts (member_id, action, day, count)
  SELECT :m, :action, :day, 1 FROM r
  WHERE r.points > 0 AND r.daily_cap > 0
    AND NOT CASE WHEN r.once_per_target THEN r.once_used ELSE r.each_used END
  ON CONFLICT (member_id, action, day) DO UPDATE SET count = point_daily_counts.count + 1
    WHERE point_daily_counts.count < (SELECT daily_cap FROM r)
  RETURNING 1
)
SELECT r.*, EXISTS (SELECT 1 FROM counted) AS counted FROM r
""")


async def earn(uow: UnitOfWork, member_id: int, action: Action, source: Source, *,
               once_key: str, each_key: str, actor_id: int | None) -> int:
    """Pay `action` to `member_id`; the points paid.

    `once_key` names the (member, target) pair, `each_key` this very occurrence: the rule's
    `oncePerTarget` picks which one the ledger holds unique. Notes reach the acting member's
    reward when he is the one paid.
    """
    points, cap, once = DEFAULT_RULES[action]
    row = await uow.fetchrow(_EARNING, {
        "action": action.value, "default_points": points, "default_cap": cap,
        "default_once": once, "once": once_key, "each": each_key, "m": member_id,
        "day": brand_day(await uow.now(), uow.settings.tz)})
    assert row is not None  # one row: the rule
    rule = Rule(action, row.points, row.daily_cap, row.once_per_target)
    key = once_key if rule.once_per_target else each_key
    to_reward = actor_id == member_id
    if rule.points <= 0 or (row.once_used if rule.once_per_target else row.each_used):
        return 0
    if rule.daily_cap is not None and not row.counted:
        if to_reward:
            uow.reward.notes.append(
                f"daily cap reached for {action.value}: 0 points (at most {rule.daily_cap} a day)")
        return 0
    done = await append_entry(uow, member_id, delta=rule.points, earned=rule.points,
                              reason=action.value, source=source, key=key, to_reward=to_reward)
    return rule.points if done else 0


# An earning entry stands when it was taken back as often as it was given back.
_STANDING = """
  (SELECT count(*) FROM point_entries r WHERE r.reverses_id = e.id
     AND r.reason IN ('REVERSAL', 'REACTION_WITHDRAWN')) AS reversals,
  (SELECT count(*) FROM point_entries r WHERE r.reverses_id = e.id
     AND r.reason = 'RESTORED') AS restores"""

_EARNED_BY_CONTENT = text(f"""
SELECT e.id, e.member_id, e.earned, {_STANDING}
FROM point_entries e
WHERE e.source_type = :t AND e.source_id = :i AND e.earned > 0
  AND e.reason IN ('POST_CREATED', 'COMMENT_CREATED', 'REACTION_RECEIVED')
ORDER BY e.id
""")


async def _take_back(uow: UnitOfWork, entry_id: int, member_id: int, earned: int,
                     reason: EntryReason, round_: int, note: str, actor_id: int | None) -> None:
    # Locks the member's row first: the balance read here is the one the entry moves.
    balance = int(await uow.session.scalar(text(
        "SELECT balance FROM member_points WHERE member_id = :m FOR UPDATE"),
        {"m": member_id}) or 0)
    await append_entry(uow, member_id, delta=-min(balance, earned), earned=-earned,
                       reason=reason.value, source=Source("POINT_ENTRY", entry_id),
                       key=f"{reason.value}:{entry_id}:{round_}", note=note,
                       reverses_id=entry_id, to_reward=actor_id == member_id)


async def _lock_members(uow: UnitOfWork, rows: list[Any]) -> None:
    """Lock every member the content paid, in member id order, before moving any of them.

    Entries come in entry order, which differs between contents: two reversals touching the
    same members in opposite orders would each hold one row and wait for the other's.
    """
    members = sorted({r.member_id for r in rows})
    if len(members) > 1:
        await uow.session.execute(text(
            "SELECT 1 FROM member_points WHERE member_id = ANY(:ms) ORDER BY member_id "
            "FOR UPDATE"), {"ms": members})


async def reverse_content(uow: UnitOfWork, target_type: str, target_id: int, note: str,
                          actor_id: int | None) -> int:
    """Take back what the content earned (its author's and its reactions'); how many entries.

    Idempotent: an entry already taken back (and not restored since) is skipped.
    """
    rows = (await uow.session.execute(_EARNED_BY_CONTENT, {"t": target_type, "i": target_id})).all()
    await _lock_members(uow, [r for r in rows if r.reversals <= r.restores])
    taken = 0
    for r in rows:
        if r.reversals > r.restores:
            continue
        await _take_back(uow, r.id, r.member_id, r.earned, EntryReason.REVERSAL,
                         r.reversals + 1, note, actor_id)
        taken += 1
    return taken


async def restore_content(uow: UnitOfWork, target_type: str, target_id: int, note: str,
                          actor_id: int | None) -> int:
    """Give back exactly what the last reversal of each entry took; how many entries."""
    rows = (await uow.session.execute(_EARNED_BY_CONTENT, {"t": target_type, "i": target_id})).all()
    await _lock_members(uow, [r for r in rows if r.reversals > r.restores])
    given = 0
    for r in rows:
        if r.reversals <= r.restores:
            continue
        last = (await uow.session.execute(text(
            "SELECT delta FROM point_entries WHERE reverses_id = :e AND reason = 'REVERSAL' "
            "ORDER BY id DESC LIMIT 1"), {"e": r.id})).first()
        if last is None:  # withdrawn reactions stay withdrawn
            continue
        done = await append_entry(
            uow, r.member_id, delta=-last.delta, earned=r.earned,
            reason=EntryReason.RESTORED.value, source=Source("POINT_ENTRY", r.id),
            key=f"RESTORED:{r.id}:{r.restores + 1}", note=note, reverses_id=r.id,
            to_reward=actor_id == r.member_id)
        given += done is not None
    return given


async def withdraw_reaction_points(uow: UnitOfWork, owner_id: int, target_type: str,
                                   target_id: int, reactor_id: int) -> bool:
    """An unreact takes back the point that reaction paid, if it still stands."""
    prefix = f"{Action.REACTION_RECEIVED.value}:{target_type}:{target_id}:from:{reactor_id}"
    row = (await uow.session.execute(text(f"""
        SELECT e.id, e.earned, {_STANDING}
        FROM point_entries e
        WHERE e.source_type = :t AND e.source_id = :i AND e.member_id = :m
          AND e.reason = 'REACTION_RECEIVED' AND e.idempotency_key LIKE :prefix
        ORDER BY e.id DESC LIMIT 1"""), {
            "t": target_type, "i": target_id, "m": owner_id, "prefix": prefix + "%"})).first()
    if row is None or row.reversals > row.restores:
        return False
    await _take_back(uow, row.id, owner_id, row.earned, EntryReason.REACTION_WITHDRAWN,
                     row.reversals + 1, "", None)
    return True


def reaction_keys(target_type: str, target_id: int, reactor_id: int, day: str) -> tuple[str, str]:
    once = f"{Action.REACTION_RECEIVED.value}:{target_type}:{target_id}:from:{reactor_id}"
    return once, f"{once}:day:{day}"

"""What campaigns pay and charge through gamification: points (the ledger), the challenge
badge, levels for segments, the CHALLENGE board. Always inside the caller's transaction.

Ledger keys make each entry unique, so a replay can never pay or charge twice.
"""

from __future__ import annotations

from sqlalchemy import text

from domain.notifications.service import NotificationKind, notify
from gamification import leaderboard, ledger
from gamification.earning import earn
from gamification.events import BadgeAwarded
from gamification.rules import Action
from rally.reward import BadgeEarned
from rally.uow import UnitOfWork

__all__ = ["Action", "award_badge", "award_points", "bump_counter", "earn_by_rule",
           "set_challenge_score", "spend_points"]

bump_counter = ledger.bump_counter


async def award_points(uow: UnitOfWork, member_id: int, points: int, reason: str,
                       source: tuple[str, int], key: str) -> int:
    """Credit a fixed amount (a prize, a challenge reward, a vote); 0 if `key` was used."""
    if points <= 0:
        return 0
    return await ledger.award(uow, member_id, points, reason, ledger.Source(*source), key)


async def spend_points(uow: UnitOfWork, member_id: int, points: int, reason: str,
                       source: tuple[str, int], key: str) -> None:
    """CONFLICT ("insufficient points") when the balance does not cover it; race-free."""
    if points > 0:
        await ledger.spend(uow, member_id, points, reason, ledger.Source(*source), key)


async def earn_by_rule(uow: UnitOfWork, member_id: int, action: Action, source: tuple[str, int],
                       key: str, actor_id: int | None) -> int:
    """Pay an action by the marketer's point rule (its daily cap included)."""
    return await earn(uow, member_id, action, ledger.Source(*source), once_key=key,
                      each_key=key, actor_id=actor_id)


_GRANT_BADGE = text(
    "INSERT INTO member_badges (member_id, badge_id, tier, awarded_at)"
    " SELECT :m, id, 'BRONZE', :now FROM badges WHERE id = :b"
    " ON CONFLICT DO NOTHING RETURNING tier")


async def award_badge(uow: UnitOfWork, member_id: int, badge_id: int) -> None:
    """A challenge's badge reward: its first tier, once."""
    granted = (await uow.session.execute(_GRANT_BADGE, {
        "m": member_id, "b": badge_id, "now": await uow.now()})).first()
    if granted is None:
        return
    await uow.publish(BadgeAwarded(member_id=member_id, badge_id=badge_id, tier=granted.tier))
    await notify(uow, member_id=member_id, kind=NotificationKind.BADGE, subject_type="BADGE",
                 subject_id=badge_id, data={"tier": granted.tier})
    uow.reward.badges.append(BadgeEarned(badge_id, granted.tier))


async def set_challenge_score(uow: UnitOfWork, challenge_id: int, member_id: int,
                              progress: int) -> None:
    """Feeds the CHALLENGE leaderboard in Redis (gamification's outbox projector)."""
    await leaderboard.set_challenge_score(uow, challenge_id, member_id, progress)

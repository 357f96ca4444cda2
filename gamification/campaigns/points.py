"""Points campaigns pay (prizes, challenge rewards, votes, referrals) and charge (plays,
catalogue items), always through the gamification ledger inside the caller's transaction.

`key` makes each entry unique in the ledger, so a replay can never pay or charge twice.
"""

from __future__ import annotations

from rally.uow import UnitOfWork


async def award_points(uow: UnitOfWork, member_id: int, points: int, reason: str,
                       source: tuple[str, int], key: str) -> None:
    if points <= 0:
        return
    from gamification import ledger

    await ledger.award(uow, member_id, points, reason, source, key)


async def spend_points(uow: UnitOfWork, member_id: int, points: int, reason: str,
                       source: tuple[str, int], key: str) -> None:
    """CONFLICT ("insufficient points") when the balance does not cover it; race-free."""
    if points <= 0:
        return
    from gamification import ledger

    await ledger.spend(uow, member_id, points, reason, source, key)


async def level_of(uow: UnitOfWork, member_id: int) -> int:
    """The member's level number (1 for a newcomer), for challenge segments."""
    try:
        from gamification import ledger
    except ImportError:
        return 1
    return await ledger.level_of(uow, member_id)


async def award_badge(uow: UnitOfWork, member_id: int, badge_id: int, key: str) -> None:
    """A challenge's badge reward (gamification's badge catalogue)."""
    try:
        from gamification import badges
    except ImportError:
        return
    await badges.grant(uow, member_id, badge_id, key)


async def set_challenge_score(uow: UnitOfWork, challenge_id: int, member_id: int,
                              progress: int) -> None:
    """Feeds the CHALLENGE leaderboard in Redis (through gamification's outbox projector)."""
    try:
        from gamification import leaderboards
    except ImportError:
        return
    await leaderboards.set_challenge_score(uow, challenge_id, member_id, progress)

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

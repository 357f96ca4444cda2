"""Challenge progress, counted inside the transaction of the action that earned it.

Each qualifying action is a credit row keyed by its subject (POST:12, REACTION:POST:12:7…),
so a replayed event counts once and a removed one is taken back once. Completion is the
UPDATE that sets `completed_at` while it is NULL: it happens, and pays, exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.coupons.issuing import CouponSource, IssueRefusal, try_issue_coupon
from domain.notifications.service import NotificationKind, notify
from gamification.campaigns.challenge_report import count_challenge_day
from gamification.campaigns.events import ChallengeProgressed
from gamification.campaigns.models import ChallengeAction
from gamification.campaigns.points import (
    Action,
    award_badge,
    award_points,
    bump_counter,
    earn_by_rule,
    set_challenge_score,
)
from rally.reward import ChallengeAdvanced
from rally.sql import Sql
from rally.uow import UnitOfWork

# The credit and its member's day in challengeReport's rollup, one statement.
_CREDIT = Sql(
    "WITH credit AS (INSERT INTO challenge_credits (challenge_id, member_id, subject, created_at)"
    " VALUES (:challenge_id, :member_id, :subject, now()) ON CONFLICT DO NOTHING RETURNING 1)"
    " INSERT INTO challenge_member_days AS d (challenge_id, day, member_id, actions, posts)"
    " SELECT CAST(:challenge_id AS bigint), (now() AT TIME ZONE :tz)::date,"
    " CAST(:member_id AS bigint), 1, CAST(:post AS int) FROM credit"
    " ON CONFLICT (challenge_id, day, member_id) DO UPDATE"
    " SET actions = d.actions + 1, posts = d.posts + EXCLUDED.posts RETURNING 1")
_ADVANCE = Sql(
    "UPDATE challenge_participants SET progress = progress + 1, reached_at = now(),"
    " completed_at = CASE WHEN progress + 1 >= :target THEN now() END"
    " WHERE challenge_id = :challenge_id AND member_id = :member_id AND completed_at IS NULL"
    " RETURNING progress, completed_at IS NOT NULL AS completed")
_TAKE_BACK = Sql(
    "DELETE FROM challenge_credits cr USING challenge_participants p, challenges c"
    " WHERE cr.member_id = :member_id AND cr.subject = :subject"
    " AND p.challenge_id = cr.challenge_id AND p.member_id = cr.member_id"
    " AND p.completed_at IS NULL AND c.id = cr.challenge_id"
    " RETURNING cr.challenge_id, c.target, cr.created_at")
_RETREAT = Sql(
    "WITH day AS (UPDATE challenge_member_days SET actions = actions - 1, posts = posts - CAST(:post AS int)"
    " WHERE challenge_id = :challenge_id AND member_id = :member_id"
    " AND day = (CAST(:credited_at AS timestamptz) AT TIME ZONE :tz)::date AND actions > 0)"
    " UPDATE challenge_participants SET progress = progress - 1"
    " WHERE challenge_id = :challenge_id AND member_id = :member_id AND progress > 0"
    " AND completed_at IS NULL RETURNING progress")


# Runs on every post, comment, reaction and play: a fixed text, no statement to build.
_RUNNING_SELECT = """
SELECT c.id, c.target, c.title, c.reward_points, c.reward_badge_id, c.reward_coupon_campaign_id
FROM challenges c JOIN challenge_participants p ON p.challenge_id = c.id
WHERE p.member_id = :member_id AND p.completed_at IS NULL AND p.joined_at <= now()
  AND c.action = :action AND c.starts_at <= now() AND c.ends_at > now() AND c.ended_at IS NULL
"""
_RUNNING = Sql(_RUNNING_SELECT)
_RUNNING_WITH_TOPIC = Sql(_RUNNING_SELECT + " AND c.topic = ANY(CAST(:topics AS varchar[]))")


async def count_action(uow: UnitOfWork, member_id: int, action: ChallengeAction,
                       subject: str, topics: Sequence[str] = ()) -> None:
    """Advance every running challenge of `action` the member joined, once per subject."""
    params: dict[str, Any] = {"member_id": member_id, "action": action.value}
    query = _RUNNING
    if action == ChallengeAction.POST_WITH_TOPIC:
        wanted = [t.strip().lstrip("#").lower() for t in topics]
        if not wanted:
            return
        query, params["topics"] = _RUNNING_WITH_TOPIC, wanted
    is_post = _is_post(subject)
    for challenge in await uow.fetch(query, params):
        params = {"challenge_id": challenge.id, "member_id": member_id}
        credit = {**params, "subject": subject, "tz": uow.settings.timezone, "post": is_post}
        if await uow.fetchrow(_CREDIT, credit) is None:
            continue
        moved = await uow.fetchrow(_ADVANCE, {**params, "target": challenge.target})
        if moved is None:
            continue
        await _announce(uow, challenge.id, member_id, moved.progress, challenge.target,
                        moved.completed)
        if moved.completed:
            await _pay_completion(uow, challenge, member_id)


def _is_post(subject: str) -> int:
    """1 when the credited subject is a post (challengeReport counts posts apart), else 0."""
    return int(subject.startswith("POST:"))


async def take_back(uow: UnitOfWork, member_id: int, subject: str) -> None:
    """Removed content or reaction: it no longer counts toward unfinished challenges."""
    for row in await uow.fetch(_TAKE_BACK, {"member_id": member_id, "subject": subject}):
        moved = await uow.fetchrow(_RETREAT, {
            "challenge_id": row.challenge_id, "member_id": member_id,
            "credited_at": row.created_at, "tz": uow.settings.timezone,
            "post": _is_post(subject)})
        if moved is not None:
            await _announce(uow, row.challenge_id, member_id, moved.progress, row.target, False)


async def _announce(uow: UnitOfWork, challenge_id: int, member_id: int, progress: int,
                    target: int, completed: bool) -> None:
    uow.reward.challenge_progress.append(
        ChallengeAdvanced(challenge_id=challenge_id, progress=progress, target=target,
                          completed=completed))
    await uow.publish(ChallengeProgressed(challenge_id=challenge_id, member_id=member_id,
                                          progress=progress, target=target,
                                          completed=completed))
    await set_challenge_score(uow, challenge_id, member_id, progress)


async def _pay_completion(uow: UnitOfWork, challenge: Any, member_id: int) -> None:
    key = f"CHALLENGE_COMPLETED:{challenge.id}:{member_id}"
    source = ("CHALLENGE", challenge.id)
    # The challenge's own points; the CHALLENGE_COMPLETED point rule when it sets none.
    if challenge.reward_points is not None:
        paid = await award_points(uow, member_id, challenge.reward_points,
                                  Action.CHALLENGE_COMPLETED, source, key)
    else:
        paid = await earn_by_rule(uow, member_id, Action.CHALLENGE_COMPLETED, source, key,
                                  member_id)
    await bump_counter(uow, member_id, "challenges_completed")
    if challenge.reward_badge_id is not None:
        await award_badge(uow, member_id, challenge.reward_badge_id)
    data: dict[str, Any] = {"challengeId": challenge.id, "title": challenge.title}
    coupons = 0
    if challenge.reward_coupon_campaign_id is not None:
        issued = await try_issue_coupon(uow, challenge.reward_coupon_campaign_id, member_id,
                                        CouponSource.CHALLENGE, source_id=challenge.id)
        if isinstance(issued, IssueRefusal):
            uow.reward.notes.append(f"challenge completed, but no coupon: {issued.value}")
            data["couponRefused"] = issued.value
        else:
            coupons = 1
    await count_challenge_day(uow, challenge.id,
                              {"completed": 1, "points": paid, "coupons": coupons})
    await notify(uow, member_id=member_id, kind=NotificationKind.CHALLENGE,
                 subject_type="Challenge", subject_id=challenge.id, data=data)

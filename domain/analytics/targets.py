"""Which tracked-event targets exist and the member may see, in one query per batch.

Types whose module is not in this build yet (Challenge, Reward) are not checked; add a line
here when they arrive.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics.rules import TrackedEvent
from rally.errors import InvalidInput

_NOT_BLOCKED = ("NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = :member AND "
                "b.blocked_id = {a}) OR (b.blocker_id = {a} AND b.blocked_id = :member))")
VISIBLE_TARGETS: dict[str, str] = {
    "Post": ("SELECT 'Post', p.id FROM posts p WHERE p.id = ANY(CAST(:Post AS bigint[])) AND "
             "(p.status = 'PUBLISHED' OR p.author_id = :member) AND "
             + _NOT_BLOCKED.format(a="p.author_id")),
    "Comment": ("SELECT 'Comment', c.id FROM comments c WHERE c.id = ANY(CAST(:Comment AS bigint[]))"
                " AND (c.status = 'PUBLISHED' OR c.author_id = :member) AND "
                + _NOT_BLOCKED.format(a="c.author_id")),
    "User": ("SELECT 'User', m.id FROM members m WHERE m.id = ANY(CAST(:User AS bigint[])) AND "
             "m.status <> 'DELETED'"),
    "Badge": "SELECT 'Badge', id FROM badges WHERE id = ANY(CAST(:Badge AS bigint[]))",
}


async def check_targets(session: AsyncSession, member_id: int, events: list[TrackedEvent]) -> None:
    """BAD_USER_INPUT naming the first event whose target is unknown or hidden from him."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.target_type in VISIBLE_TARGETS and e.target_id is not None:
            wanted.setdefault(e.target_type, set()).add(e.target_id)
    if not wanted:
        return
    sql = " UNION ALL ".join(VISIBLE_TARGETS[t] for t in sorted(wanted))
    params: dict[str, object] = {t: sorted(ids) for t, ids in wanted.items()}
    rows = await session.execute(text(sql), {**params, "member": member_id})
    found = {(row[0], row[1]) for row in rows}
    for index, e in enumerate(events):
        if e.target_type in wanted and (e.target_type, e.target_id) not in found:
            raise InvalidInput(f"event {index}: targetId is not a {e.target_type} you can see",
                               field=f"events.{index}.targetId", index=index)

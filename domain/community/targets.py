"""Reading what an action is aimed at (a post or a comment) and who blocks whom."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from domain.community.models import ContentStatus, TargetType
from rally.errors import NotFound
from rally.uow import UnitOfWork


@dataclass(frozen=True)
class Target:
    type: TargetType
    id: int
    owner_id: int
    status: ContentStatus
    post_id: int  # the post itself, or the comment's post
    parent_id: int | None = None
    post_status: ContentStatus | None = None  # a comment's post's status
    deleted_by_author: bool = False
    ever_published: bool = True


_POST = ("SELECT id, author_id, status, id AS post_id, NULL::bigint AS parent_id, "
         "status AS post_status, deleted_at IS NOT NULL AS deleted, "
         "published_at IS NOT NULL AS ever_published FROM posts WHERE id = :id")
_COMMENT = ("SELECT c.id, c.author_id, c.status, c.post_id, c.parent_id, p.status AS post_status, "
            "c.deleted_at IS NOT NULL AS deleted, c.published_at IS NOT NULL AS ever_published "
            "FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = :id")


async def find_target(uow: UnitOfWork, target_type: TargetType, target_id: int,
                      lock: bool = False) -> Target | None:
    sql = _POST if target_type is TargetType.POST else _COMMENT
    if lock:
        sql += " FOR UPDATE" if target_type is TargetType.POST else " FOR UPDATE OF c"
    row = (await uow.session.execute(text(sql), {"id": target_id})).first()
    if row is None:
        return None
    return Target(target_type, row.id, row.author_id, ContentStatus(row.status), row.post_id,
                  row.parent_id, ContentStatus(row.post_status), row.deleted, row.ever_published)


async def get_target(uow: UnitOfWork, target_type: TargetType, target_id: int,
                     lock: bool = False) -> Target:
    target = await find_target(uow, target_type, target_id, lock)
    if target is None:
        raise NotFound(f"{target_type.value.lower()} not found")
    return target


def is_live(target: Target) -> bool:
    """Published, and (for a comment) on a published post."""
    return target.status is ContentStatus.PUBLISHED and target.post_status is ContentStatus.PUBLISHED


async def blocks(uow: UnitOfWork, blocker_id: int, blocked_id: int) -> bool:
    return bool(await uow.session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = :a AND blocked_id = :b)"),
        {"a": blocker_id, "b": blocked_id}))


async def blocked_either_way(uow: UnitOfWork, a: int, b: int) -> bool:
    return bool(await uow.session.scalar(text(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = :a AND blocked_id = :b) "
        "OR (blocker_id = :b AND blocked_id = :a))"), {"a": a, "b": b}))

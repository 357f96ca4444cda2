"""The community's personal data. Policy: the member's own posts and comments are emptied and
removed (their bodies and edit history may name him), his media deleted with their files, his
follows and blocks deleted; his reactions and shares stay as anonymous counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from domain.privacy.personal_data import register, rows_of, statements
from rally.uow import UnitOfWork

DELETED_BODY = "[deleted]"

register(
    "posts",
    export=rows_of("SELECT id, body, status, topics, reaction_count, comment_count, share_count, "
                   "created_at FROM posts WHERE author_id = :member_id ORDER BY id"),
    erase=statements(
        "DELETE FROM post_edits WHERE post_id IN (SELECT id FROM posts WHERE author_id = :member_id)",
        f"UPDATE posts SET body = '{DELETED_BODY}', topics = '{{}}', mention_ids = '{{}}', "
        "status = 'REMOVED' WHERE author_id = :member_id"),
    policy="emptied and removed, with their edit history",
)
register(
    "comments",
    export=rows_of("SELECT id, post_id, parent_id, body, status, created_at FROM comments "
                   "WHERE author_id = :member_id ORDER BY id"),
    erase=statements(f"UPDATE comments SET body = '{DELETED_BODY}', status = 'REMOVED' "
                     "WHERE author_id = :member_id"),
    policy="emptied and removed",
)
register(
    "reactions",
    export=rows_of("SELECT target_type, target_id, kind, created_at FROM reactions "
                   "WHERE member_id = :member_id ORDER BY created_at"),
    erase=statements(),
    policy="kept as anonymous counts",
)
register(
    "shares",
    export=rows_of("SELECT post_id, channel, referral_code, created_at FROM shares "
                   "WHERE member_id = :member_id ORDER BY id"),
    erase=statements(),
    policy="kept as anonymous counts (the referral code is replaced on the account)",
)
register(
    "follows",
    export=rows_of("""
        SELECT 'MEMBER' AS kind, followee_id::text AS followed, created_at FROM member_follows
        WHERE follower_id = :member_id
        UNION ALL
        SELECT 'TOPIC', topic, created_at FROM topic_follows WHERE member_id = :member_id
        ORDER BY created_at"""),
    erase=statements(
        "DELETE FROM member_follows WHERE follower_id = :member_id OR followee_id = :member_id",
        "DELETE FROM topic_follows WHERE member_id = :member_id"),
    policy="deleted, both ways",
)
register(
    "blocks",
    export=rows_of("SELECT blocked_id, created_at FROM blocks WHERE blocker_id = :member_id "
                   "ORDER BY created_at"),
    erase=statements("DELETE FROM blocks WHERE blocker_id = :member_id OR blocked_id = :member_id"),
    policy="deleted, both ways",
)
register(
    "reports",
    export=rows_of("SELECT target_type, target_id, reason, note, created_at FROM reports "
                   "WHERE reporter_id = :member_id ORDER BY id"),
    erase=statements("UPDATE reports SET note = NULL WHERE reporter_id = :member_id"),
    policy="kept so moderation cases still count their reporters; the free-text note is erased",
)


async def _erase_media(uow: UnitOfWork, member_id: int) -> None:
    keys = (await uow.session.execute(text(
        "DELETE FROM media WHERE owner_id = :member_id RETURNING storage_key"),
        {"member_id": member_id})).scalars().all()
    directory = Path(uow.settings.data_dir) / "media"

    def unlink_files() -> None:
        for key in keys:
            (directory / key).unlink(missing_ok=True)

    uow.after_commit(unlink_files)


register(
    "media",
    export=rows_of("SELECT kind, content_type, byte_size, url, post_id, created_at FROM media "
                   "WHERE owner_id = :member_id ORDER BY id"),
    erase=_erase_media,
    policy="deleted with their files",
)

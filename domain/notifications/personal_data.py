from domain.privacy.personal_data import register, rows_of, statements

register(
    "notifications",
    export=rows_of("SELECT kind, actor_id, actor_count, subject_type, subject_id, data, "
                   "created_at, read_at FROM notifications WHERE member_id = :member_id "
                   "ORDER BY seq"),
    # Others' notifications keep the event but no longer point at the deleted member.
    erase=statements("DELETE FROM notifications WHERE member_id = :member_id",
                     "UPDATE notifications SET actor_id = NULL WHERE actor_id = :member_id"),
    policy="deleted; other members' notifications no longer name the deleted member",
)

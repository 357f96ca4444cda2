from domain.privacy.personal_data import keep, register, rows_of, statements

register(
    "events",
    export=rows_of("SELECT client_event_id, kind, target_type, target_id, duration_ms, "
                   "occurred_at, context FROM tracked_events WHERE member_id = :member_id "
                   "ORDER BY occurred_at"),
    erase=statements("DELETE FROM tracked_events WHERE member_id = :member_id",
                     "DELETE FROM tracked_event_keys WHERE member_id = :member_id"),
    policy="raw events are deleted; daily rollups keep only counts",
)
register(
    "activity",
    export=rows_of("SELECT day, created_content FROM member_activity_days "
                   "WHERE member_id = :member_id ORDER BY day"),
    erase=keep,
    policy="kept as anonymous activity days so retention figures do not change",
)

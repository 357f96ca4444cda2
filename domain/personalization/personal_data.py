from domain.privacy.personal_data import register, rows_of, statements

register(
    "interests",
    export=rows_of("""SELECT tag, source, score, scored_at FROM member_interests
                      WHERE member_id = :member_id ORDER BY source, tag"""),
    erase=statements("DELETE FROM member_interests WHERE member_id = :member_id"),
    policy="declared and inferred interests are deleted",
)
register(
    "segments_created",
    export=rows_of("SELECT id, name, rules, created_at FROM segments"
                   " WHERE created_by = :member_id ORDER BY id"),
    erase=statements("UPDATE segments SET created_by = NULL WHERE created_by = :member_id"),
    policy="segments a marketer defined stay, no longer naming him",
)

from domain.privacy.personal_data import register, rows_of, statements

register(
    "feedback",
    export=rows_of("SELECT * FROM feedback WHERE member_id = :member_id ORDER BY id"),
    erase=statements("UPDATE feedback SET text = NULL WHERE member_id = :member_id"),
    policy="scores are kept for NPS; free text is erased",
)

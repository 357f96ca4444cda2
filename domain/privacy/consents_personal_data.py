from domain.privacy.personal_data import register, rows_of, statements

register(
    "consents",
    export=rows_of("SELECT purpose, granted, policy_version, changed_at FROM consent_changes "
                   "WHERE member_id = :member_id ORDER BY changed_at, id"),
    erase=statements("DELETE FROM consent_changes WHERE member_id = :member_id",
                     "DELETE FROM member_consents WHERE member_id = :member_id"),
    policy="deleted",
)

"""The account itself: the profile and devices. Deletion anonymizes the row (privacy/deletion.py)."""

from domain.privacy.personal_data import register, rows_of, statements

register(
    "profile",
    export=rows_of("""
        SELECT id, email, display_name, avatar_url, bio, age_range, gender, region, occupation,
               roles, status, is_guest, referral_code, personalization_opt_out, created_at,
               last_seen_at
        FROM members WHERE id = :member_id"""),
    erase=statements(),  # the deletion itself anonymizes the member row last
    policy="email, password, display name, avatar and every profile field are erased; the row "
           "stays as an anonymous id so ledgers and coupons still add up",
)
register(
    "devices",
    export=rows_of("SELECT device_id, created_at FROM devices WHERE member_id = :member_id "
                   "ORDER BY created_at"),
    erase=statements("DELETE FROM devices WHERE member_id = :member_id"),
    policy="deleted",
)
register(
    "sessions",
    export=rows_of("SELECT created_at, expires_at, rotated_at, revoked_at FROM refresh_tokens "
                   "WHERE member_id = :member_id ORDER BY created_at"),
    erase=statements("DELETE FROM refresh_tokens WHERE member_id = :member_id"),
    policy="every session is revoked and deleted",
)

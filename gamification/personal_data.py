"""Gamification's personal data. Policy: the ledger, sums, badges and check-ins stay, held by
the anonymous id, so every board and report still adds up; the member shows as "Deleted member"."""

from domain.privacy.personal_data import keep, register, rows_of

register(
    "points",
    export=rows_of("SELECT delta, earned, reason, source_type, source_id, note, created_at "
                   "FROM point_entries WHERE member_id = :member_id ORDER BY id"),
    erase=keep,
    policy="the ledger is kept for accounting, held by the anonymous id",
)
register(
    "badges",
    export=rows_of("SELECT b.name, h.tier, h.awarded_at FROM member_badges h "
                   "JOIN badges b ON b.id = h.badge_id WHERE h.member_id = :member_id "
                   "ORDER BY h.awarded_at"),
    erase=keep,
    policy="kept so holder counts do not change",
)
register(
    "checkIns",
    export=rows_of("SELECT day, streak, points, created_at FROM check_ins "
                   "WHERE member_id = :member_id ORDER BY day"),
    erase=keep,
    policy="kept as anonymous activity",
)

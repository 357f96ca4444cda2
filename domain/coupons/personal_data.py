from domain.privacy.personal_data import keep, register, rows_of

register(
    "coupons",
    export=rows_of("""
        SELECT c.code, k.name AS campaign, c.status, c.source, c.issued_at, c.redeemed_at,
               c.redeemed_store_id
        FROM coupons c JOIN coupon_campaigns k ON k.id = c.campaign_id
        WHERE c.member_id = :member_id ORDER BY c.issued_at"""),
    erase=keep,
    policy="kept for accounting, held by the anonymous id",
)

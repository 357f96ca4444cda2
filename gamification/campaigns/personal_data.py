"""Campaign data about a member. Policy: plays, votes, challenge progress, redemptions and
referrals stay, held by the anonymous id, so reports, stock and quotas still add up."""

from domain.privacy.personal_data import keep, register, rows_of

_KEPT = "kept for reports and accounting, held by the anonymous id"

register(
    "miniGamePlays",
    export=rows_of("SELECT g.title AS game, p.points_won, p.coupon_id, p.cost_points, p.free, "
                   "p.score, p.played_at FROM mini_game_plays p JOIN mini_games g ON "
                   "g.id = p.game_id WHERE p.member_id = :member_id ORDER BY p.id"),
    erase=keep, policy=_KEPT)
register(
    "challenges",
    export=rows_of("SELECT c.title AS challenge, p.progress, p.joined_at, p.completed_at "
                   "FROM challenge_participants p JOIN challenges c ON c.id = p.challenge_id "
                   "WHERE p.member_id = :member_id ORDER BY p.joined_at"),
    erase=keep, policy=_KEPT)
register(
    "pollVotes",
    export=rows_of("SELECT v.poll_id, o.label AS option, v.voted_at FROM poll_votes v "
                   "JOIN poll_options o ON o.id = v.option_id WHERE v.member_id = :member_id "
                   "ORDER BY v.voted_at"),
    erase=keep, policy=_KEPT)
register(
    "rewardRedemptions",
    export=rows_of("SELECT i.title AS item, r.cost_points, r.coupon_id, r.redeemed_at "
                   "FROM reward_redemptions r JOIN reward_items i ON i.id = r.item_id "
                   "WHERE r.member_id = :member_id ORDER BY r.id"),
    erase=keep, policy=_KEPT)
register(
    "referrals",
    export=rows_of("SELECT 'REFERRED' AS role, referred_id AS other_member, paid, created_at "
                   "FROM referrals WHERE referrer_id = :member_id UNION ALL "
                   "SELECT 'REFERRED_BY', referrer_id, paid, created_at FROM referrals "
                   "WHERE referred_id = :member_id ORDER BY created_at"),
    erase=keep, policy=_KEPT)

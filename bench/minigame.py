"""Playing one mini-game with a limited prize: the service beside raw asyncpg, same SQL.

    .venv/bin/python -m bench.minigame [--workers 64] [--seconds 4]

Each of 64 members loops "play once" on ONE wheel (one worker process, in-process service).
Half the draws hit the limited prize and take a unit of its stock (the hot-row case, split
over `minigame_stock_shards` rows). Then a plain asyncpg transaction runs the same
statements in the same run, and the ratio is printed. Two prize kinds are measured:
  - POINTS: the stock is the only shared row (ledger rows are per member);
  - COUPON: every win also takes one from ONE coupon campaign's quota (`issue_coupon`, the
    coupons area's single hot row: see bench/coupons.py); this bounds the coupon case.
Finally a prize with stock 500 is hammered by 2000 concurrent plays and the winners, coupons
and stock are counted: the oversell must be 0.
Targets (issue 6): >= 400 plays/s, p99 < 80 ms, ratio >= 0.35, oversell 0.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg
import uvloop

from bench.common import BENCH_SECRET, servers
from bench.coupons import count_issue, hammer, issue

# The statements one play runs (see gamification/campaigns/minigames.py and payout.py).
PLAY_SQL = {
    "start": ("WITH claimed AS ("
              " INSERT INTO idempotency_keys (member_id, operation, key, request_hash)"
              " VALUES ($1, 'playMiniGame', $2, 'h') ON CONFLICT DO NOTHING RETURNING 1),"
              " game AS (SELECT id, free_plays_per_day FROM mini_games WHERE id = $3"
              "  AND ended_at IS NULL AND starts_at <= now() AND now() < ends_at),"
              " free AS (INSERT INTO mini_game_days AS d (game_id, member_id, day, free_plays)"
              " SELECT id, $1, (now() AT TIME ZONE $4)::date, 1 FROM game"
              "  WHERE free_plays_per_day > 0 AND EXISTS (SELECT FROM claimed)"
              " ON CONFLICT (game_id, member_id, day) DO UPDATE SET free_plays = d.free_plays + 1"
              "  WHERE d.free_plays < (SELECT free_plays_per_day FROM game) RETURNING 1)"
              " SELECT EXISTS (SELECT FROM claimed) AS claimed, EXISTS (SELECT FROM free) AS free,"
              " g.id, g.kind, g.cost_points, g.free_plays_per_day, g.questions, g.starts_at,"
              " g.ends_at, g.ended_at IS NULL AND g.starts_at <= now() AND now() < g.ends_at"
              " AS open, now() AS now, p.id AS prize_id, p.name, p.points, p.coupon_campaign_id,"
              " p.stock IS NOT NULL AS limited, p.weight, p.min_score"
              " FROM (SELECT) AS one LEFT JOIN (mini_games g JOIN mini_game_prizes p"
              " ON p.game_id = g.id AND g.id = $3) ON true ORDER BY p.position"),
    "record": ("WITH play AS (INSERT INTO mini_game_plays (game_id, member_id, day, free, score,"
               " prize_id, points_won, cost_points) VALUES ($1, $2, current_date, true, NULL,"
               " $3, 0, 0) RETURNING id) UPDATE idempotency_keys k SET response ="
               " jsonb_build_object('playId', play.id) FROM play WHERE k.member_id = $2"
               " AND k.operation = 'playMiniGame' AND k.key = $4 RETURNING play.id"),
    "challenges": ("SELECT c.id FROM challenges c JOIN challenge_participants p"
                   " ON p.challenge_id = c.id WHERE p.member_id = $1 AND p.completed_at IS NULL"
                   " AND c.action = 'PLAY_GAME' AND c.starts_at <= now() AND c.ends_at > now()"
                   " AND c.ended_at IS NULL"),
    "stock": ("UPDATE mini_game_prize_stock SET remaining = remaining - 1"
              " WHERE prize_id = $1 AND remaining > 0 AND shard = ("
              " SELECT shard FROM mini_game_prize_stock WHERE prize_id = $1 AND remaining > 0"
              " ORDER BY (shard + $2) % 1024 LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING shard"),
    "spend_key": ("INSERT INTO point_entries (member_id, delta, earned, reason, source_type,"
                  " source_id, idempotency_key) VALUES ($1, $2, $2, 'MINI_GAME_PRIZE',"
                  " 'MINI_GAME', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"),
    "balance": ("INSERT INTO member_points (member_id, balance, lifetime, version)"
                " VALUES ($1, $2, $2, 1) ON CONFLICT (member_id) DO UPDATE SET"
                " balance = member_points.balance + $2, lifetime = member_points.lifetime + $2,"
                " version = member_points.version + 1 RETURNING balance, lifetime, level"),
    "periods": ("INSERT INTO period_points (kind, period_start, member_id, score)"
                " VALUES ('WEEKLY', current_date, $1, $2), ('MONTHLY', current_date, $1, $2)"
                " ON CONFLICT (kind, period_start, member_id) DO UPDATE SET"
                " score = period_points.score + excluded.score"),
    "outbox": "INSERT INTO outbox (topic, payload) SELECT unnest($1::text[]), '{}'::jsonb",
}


async def raw_play(conn: asyncpg.Connection, game_id: int, member_id: int, key: str) -> bool:
    """One play in a plain asyncpg transaction running the service's statements."""
    from domain.coupons.codes import new_code
    from gamification.campaigns.rules import draw

    async with conn.transaction():
        prizes = await conn.fetch(PLAY_SQL["start"], member_id, key, game_id, "UTC")
        prize = prizes[draw([p["weight"] for p in prizes])]
        paying = prize["coupon_campaign_id"] is not None or prize["points"] > 0
        play_id = await conn.fetchval(PLAY_SQL["record"], game_id, member_id,
                                      prize["prize_id"] if paying else None, key)
        await conn.fetch(PLAY_SQL["challenges"], member_id)
        topics = ["minigame.played"]
        won = paying and await conn.fetchrow(PLAY_SQL["stock"], prize["prize_id"],
                                             play_id % 1024)
        if won and prize["coupon_campaign_id"] is not None:
            campaign = prize["coupon_campaign_id"]
            issued = await issue(conn, campaign, play_id % 1024, member_id, new_code(),
                                 "MINI_GAME", play_id)
            # No free shard with units (held by other plays, or the quota is gone): no prize
            # here, where the service looks again after a pause before giving up.
            if issued is not None and issued["coupon_id"] is not None:
                await count_issue(conn, campaign, "MINI_GAME", issued["shard"])
                topics.append("notification.changed")
            else:
                won = None
        if won and prize["points"] > 0:
            await conn.fetchval(PLAY_SQL["spend_key"], member_id, prize["points"], game_id,
                                f"minigame-play:{play_id}")
            await conn.fetchrow(PLAY_SQL["balance"], member_id, prize["points"])
            await conn.execute(PLAY_SQL["periods"], member_id, prize["points"])
            topics.append("gamification.points_changed")
        await conn.execute(PLAY_SQL["outbox"], topics)
    return bool(won)


async def raw_hammer(dsn: str, kind: str, game_id: int, members: list[int], workers: int,
                     seconds: float) -> tuple[float, float, float]:
    pool = await asyncpg.create_pool(dsn, min_size=workers, max_size=workers)
    keys = itertools.count()

    async def raw(n: int) -> bool:
        async with pool.acquire() as conn:
            return await raw_play(conn, game_id, members[n], f"r{next(keys)}")

    try:
        return await hammer(f"{kind} raw asyncpg", workers, seconds, raw, unit="plays")
    finally:
        await pool.close()


async def run(env: dict[str, str], workers: int, seconds: float) -> None:
    from api.container import Container
    from domain.coupons import rules as coupon_rules
    from domain.coupons.service import CampaignDraft
    from gamification.campaigns.minigames import GameDraft
    from gamification.campaigns.models import GameKind
    from gamification.campaigns.rules import PrizeDraft
    from rally.settings import Settings

    settings = Settings(env="test", database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"],
                        secret=BENCH_SECRET, password_time_cost=1, password_memory_kib=1024,
                        db_pool_size=workers, db_max_overflow=0, db_read_pool_size=1,
                        log_level="WARNING")
    container = Container.build(settings)
    await container.start(run_relay=False)
    members = [(await container.members.register(f"p{i}@bench.test", "bench password 1",
                                                 f"P{i}")).member.id for i in range(workers)]
    marketer = members[0]
    now = datetime.now(UTC)
    campaign = (await container.coupons.create_campaign(marketer, CampaignDraft(
        name="bench", discount=coupon_rules.discount("PERCENT", 10, None), quota=10_000_000,
        per_member_limit=10_000_000, valid_from=now, valid_until=now + timedelta(days=1),
        terms=""))).id

    async def game(stock: int, weight_nothing: int, points: int = 0) -> int:
        prize = PrizeDraft("10 points", weight=1, points=points, stock=stock) if points else \
            PrizeDraft("10% off", weight=1, coupon_campaign_id=campaign, stock=stock)
        return (await container.campaigns.minigames.create_game(marketer, GameDraft(
            kind=GameKind.WHEEL, title="bench", starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=1), free_plays_per_day=1_000_000,
            prizes=[prize, PrizeDraft("Nothing", weight=weight_nothing)]))).id

    keys = itertools.count()
    figures = {}
    for kind, points in (("POINTS", 10), ("COUPON", 0)):
        hot = await game(stock=10_000_000, weight_nothing=1, points=points)

        async def through_service(n: int, hot: int = hot) -> bool:
            outcome = await container.campaigns.minigames.play(members[n], hot,
                                                               f"s{next(keys)}")
            return outcome.prize is not None

        service = await hammer(f"{kind} playMiniGame", workers, seconds, through_service,
                               unit="plays")
        await container.engine.dispose()  # both pools at once would exceed max_connections
        baseline = await raw_hammer(container.raw_dsn, kind, hot, members, workers, seconds)
        figures[kind] = (service, baseline)
        print(f"{kind} ratio service/raw: {service[0] / baseline[0]:.2f}")

    limited = await game(stock=500, weight_nothing=0)
    outcomes = await asyncio.gather(*[
        container.campaigns.minigames.play(members[i % workers], limited, secrets.token_hex(8))
        for i in range(2000)], return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    for error in failed[:1]:
        print("failed play:", getattr(getattr(error, "orig", None), "__cause__", error))
    winners = sum(1 for o in outcomes if not isinstance(o, BaseException) and o.prize)
    [row] = await container.fetch(
        "SELECT (SELECT count(*) FROM coupons c JOIN mini_game_plays p ON p.id = c.source_id"
        "  AND c.source = 'MINI_GAME' WHERE p.game_id = $1) AS coupons,"
        " (SELECT sum(s.remaining) FROM mini_game_prize_stock s JOIN mini_game_prizes p"
        "  ON p.id = s.prize_id WHERE p.game_id = $1) AS remaining", limited)
    print(f"stock 500, 2000 concurrent plays ({len(failed)} failed): {winners} winners, "
          f"{row['coupons']} coupons, "
          f"stock left {row['remaining']}, oversell {max(0, row['coupons'] - 500)}")
    for kind, (service, baseline) in figures.items():
        print(f"{kind}: targets >= 400 plays/s ({service[0]:.0f}), p99 < 80 ms "
              f"({service[2]:.1f}), ratio >= 0.35 ({service[0] / baseline[0]:.2f})")
    await container.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=4)
    args = parser.parse_args()
    with servers() as env:
        # The event loop `rally serve` runs on (uvicorn picks uvloop when it is installed).
        uvloop.run(run(env, args.workers, args.seconds))


if __name__ == "__main__":
    main()

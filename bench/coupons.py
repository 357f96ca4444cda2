"""Issuing coupons from one hot campaign: the service beside raw asyncpg doing the same SQL.

    .venv/bin/python -m bench.coupons [--workers 64] [--seconds 10]

Each worker loops "open a transaction, issue one coupon, commit" against ONE campaign (every
issue locks one of its quota shards), first through `issue_coupon` in a unit of work, then through a plain
asyncpg transaction running the same statements. Then a campaign with a small quota is
hammered past its end, and the coupons are counted: zero oversell is the point.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.common import BENCH_SECRET, servers


def issue_sql(source: str) -> str:
    """The service's one-statement coupon issue with its notification
    (domain/coupons/issuing.py) in asyncpg form."""
    return (
        "WITH taken AS ("
        " UPDATE coupon_quota_shards s SET issued = s.issued + 1 FROM coupon_campaigns c"
        " WHERE c.id = $1 AND c.valid_until > now() AND s.campaign_id = c.id"
        " AND s.issued < s.quota AND s.shard = (SELECT shard FROM coupon_quota_shards"
        "  WHERE campaign_id = $1 AND issued < quota ORDER BY (shard + $2) % 1024"
        "  LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING c.name, c.per_member_limit, s.shard),"
        " counted AS (INSERT INTO coupon_holdings AS h (campaign_id, member_id, issued)"
        " SELECT $1::bigint, $3::bigint, 1 FROM taken"
        " ON CONFLICT (campaign_id, member_id) DO UPDATE SET issued = h.issued + 1"
        " WHERE h.issued < (SELECT per_member_limit FROM taken) RETURNING 1),"
        " coupon AS (INSERT INTO coupons (campaign_id, member_id, code, source, source_id)"
        f" SELECT $1::bigint, $3::bigint, $4::text, '{source}', $5::bigint FROM counted"
        " ON CONFLICT (code) DO NOTHING RETURNING id),"
        " note AS (INSERT INTO notifications (member_id, kind, subject_type, subject_id, data)"
        " SELECT $3::bigint, 'COUPON', 'Coupon', coupon.id, jsonb_build_object('campaignId',"
        f" $1::bigint, 'campaignName', t.name, 'source', '{source}') FROM coupon, taken t"
        " RETURNING id, seq)"
        " SELECT t.name, t.shard, EXISTS (SELECT FROM counted) AS counted,"
        " (SELECT id FROM coupon) AS coupon_id, n.id AS note_id, n.seq AS note_seq"
        " FROM taken t LEFT JOIN note n ON true")


def rollup_sql(source: str) -> str:
    """The report's counter an issue moves (domain/analytics/rollups.py), in the row of the
    quota shard the issue took ($2)."""
    return ("INSERT INTO coupon_rollups (campaign_id, source, day, metric, shard, value)"
            f" VALUES ($1, '{source}', current_date, 'issued', $2, 1)"
            " ON CONFLICT (campaign_id, source, day, metric, shard)"
            " DO UPDATE SET value = coupon_rollups.value + excluded.value")


ISSUE_SQL = [
    issue_sql("BENCH"),
    rollup_sql("BENCH"),
    "INSERT INTO outbox (topic, payload) VALUES ('notification.changed', '{}')",
]


async def hammer(name: str, workers: int, seconds: float,
                 issue_one: Callable[[int], Awaitable[bool]],
                 unit: str = "issues") -> tuple[float, float, float]:
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker(n: int) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            await issue_one(n)
            latencies.append(time.perf_counter() - started)

    began, cpu = time.monotonic(), time.process_time()
    await asyncio.gather(*[worker(n) for n in range(workers)])
    elapsed, cpu = time.monotonic() - began, time.process_time() - cpu
    rate = len(latencies) / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    # CPU of this process (the in-process service, or the asyncpg client) per unit: far less
    # sensitive to other load on the machine than the rate.
    per_unit = cpu / len(latencies) * 1000
    print(f"{name:<22} {rate:>8.0f} {unit}/s   p50 {p50:>6.1f} ms   p99 {p99:>6.1f} ms"
          f"   CPU {per_unit:.2f} ms/{unit[:-1]}   load {os.getloadavg()[0]:.1f}")
    return rate, p50, p99


async def run(env: dict[str, str], workers: int, seconds: float) -> None:
    from api.container import Container
    from domain.coupons import rules
    from domain.coupons.codes import new_code
    from domain.coupons.service import CampaignDraft, issue_coupon
    from rally.settings import Settings

    settings = Settings(env="test", database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"],
                        secret=BENCH_SECRET, password_time_cost=1, password_memory_kib=1024,
                        db_pool_size=workers, db_max_overflow=0, db_read_pool_size=1,
                        log_level="WARNING")
    container = Container.build(settings)
    await container.start(run_relay=False)
    members = [(await container.members.register(f"b{i}@bench.test", "bench password 1", f"B{i}")
                ).member.id for i in range(workers)]
    now = datetime.now(UTC)

    async def campaign(quota: int) -> int:
        return (await container.coupons.create_campaign(members[0], CampaignDraft(
            name="bench", discount=rules.discount("PERCENT", 10, None), quota=quota,
            per_member_limit=1_000_000, valid_from=now, valid_until=now + timedelta(days=1),
            terms=""))).id

    hot = await campaign(10_000_000)

    async def through_service(n: int) -> bool:
        async with container.uow() as uow:
            issued = await issue_coupon(uow, hot, members[n], "BENCH")
            await uow.commit()
        return issued is not None

    async def raw(n: int) -> bool:
        async with pool.acquire() as conn, conn.transaction():
            issued = await conn.fetchrow(ISSUE_SQL[0], hot, n, members[n], new_code(), None)
            if issued is None:
                return False
            await conn.execute(ISSUE_SQL[1], hot, issued["shard"])
            await conn.execute(ISSUE_SQL[2])
        return True

    service_rate, _, _ = await hammer("issue_coupon (service)", workers, seconds, through_service)
    await container.engine.dispose()  # both pools at once would exceed max_connections
    pool = await asyncpg.create_pool(container.raw_dsn, min_size=workers, max_size=workers)
    raw_rate, _, _ = await hammer("raw asyncpg, same SQL", workers, seconds, raw)
    print(f"ratio service/raw: {service_rate / raw_rate:.2f}")
    await pool.close()

    limited = await campaign(500)

    async def limited_issue(n: int) -> bool:
        async with container.uow() as uow:
            issued = await issue_coupon(uow, limited, members[n], "BENCH")
            await uow.commit()
        return issued is not None

    outcomes = await asyncio.gather(*[limited_issue(i % workers) for i in range(2000)])
    [row] = await container.fetch(
        "SELECT (SELECT count(*) FROM coupons WHERE campaign_id = $1) AS count,"
        " (SELECT sum(issued) FROM coupon_quota_shards WHERE campaign_id = $1) AS issued",
        limited)
    count, issued = row["count"], row["issued"]
    print(f"quota 500, 2000 concurrent attempts: {sum(outcomes)} issued, {count} coupons, "
          f"counter {issued}, oversell {max(0, count - 500)}")
    await container.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with servers() as env:
        asyncio.run(run(env, args.workers, args.seconds))


if __name__ == "__main__":
    main()

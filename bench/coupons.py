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
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import BENCH_SECRET, run_sql, servers
from domain.analytics.rollups import _MOVE_COUPONS
from domain.coupons.issuing import _ISSUE_FROM_FREE_SHARD
from domain.notifications.service import NotificationKind


def issue(conn: asyncpg.Connection, campaign_id: int, spin: int, member_id: int, code: str,
          source: str, source_id: int | None) -> Awaitable[Any]:
    """The service's one-statement coupon issue with its notification, imported from
    domain/coupons/issuing.py."""
    return run_sql(conn, "fetchrow", _ISSUE_FROM_FREE_SHARD, campaign_id=campaign_id,
                   member_id=member_id, now=datetime.now(UTC), spin=spin, code=code,
                   source=source, source_id=source_id, kind=NotificationKind.COUPON,
                   note_source=source)


def count_issue(conn: asyncpg.Connection, campaign_id: int, source: str,
                shard: int) -> Awaitable[Any]:
    """The report's counter an issue moves (domain/analytics/rollups.py), in the row of the
    quota shard the issue took."""
    return run_sql(conn, "execute", _MOVE_COUPONS, campaign_id=campaign_id, source=source,
                   shard=shard, days=[date.today()], metrics=["issued"], values=[1])


NOTIFIED = "INSERT INTO outbox (topic, payload) VALUES ('notification.changed', '{}')"


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
            issued = await issue(conn, hot, n, members[n], new_code(), "BENCH", None)
            if issued is None:
                return False
            await count_issue(conn, hot, "BENCH", issued["shard"])
            await conn.execute(NOTIFIED)
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

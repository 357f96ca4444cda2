"""`engagementMetrics` over 90 days of a community with 10M tracked events, beside raw asyncpg.

    .venv/bin/python -m bench.metrics [--events 10000000] [--members 60000] [--calls 20]

Seeds, server-side (`INSERT … SELECT` over `generate_series`, no per-row client work), 100
brand days (UTC) of a community into the tables the app writes:
- members: a third joined before the range, the rest ~400 a day through it (`member_signups`);
- activity days (`member_activity_days`): each member has a taste for the app; the chance he
  comes back fades over his first weeks, 8 % of active days create content; ~11-12k DAU;
- `--events` tracked events (VIEW/CLICK/DWELL/SHARE/SEARCH on posts) spread over the active
  member-days, in the monthly partitions, with the last 7 days' dedup keys;
- posts and comments (the content days), reactions, shares, check-ins, challenge participants,
  coupons issued (40 % redeemed), NPS feedback.
The rollups the app maintains per action are then built set-based: the daily counters by
grouping those rows by brand day (what each action adds, summed), the activity rollups by
`domain.analytics.activity.BACKFILL` and the check-in / challenge / coupon rollups by
`domain.analytics.programme.programme_backfill` (the statements migration 0050 runs; a test
proves the activity backfill reaches the same state as the per-action maintenance).

Then `rally serve` (one worker) answers `engagementMetrics(from, to, DAY|WEEK)` over the last 90
days, `--calls` times each, one at a time (p50/p99 of the HTTP round trip), beside raw asyncpg
running the report's SQL statements with the same arguments, and (`--before`) the per-day
count-distinct WAU/MAU query the report used before the maintained rollups, once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx

from bench.common import BENCH_SECRET, free_port, rally_server, servers

DAYS = 100
REPORT_DAYS = 90
QUERY = """query($from: Date!, $to: Date!, $g: Granularity!) {
  engagementMetrics(from: $from, to: $to, granularity: $g) {
    dau wau mau stickiness newMembers postsCreated commentsCreated reactionsAdded postsShared
    ugcRate feedCtr averageDwellMs nps npsResponses retentionD1 retentionD7 retentionD30
    checkInRate challengeParticipationRate couponRedemptionRate
    series { start end dau wau mau stickiness newMembers postsCreated commentsCreated
             reactionsAdded postsShared ugcRate views clicks feedCtr averageDwellMs nps
             npsResponses checkInRate challengeParticipationRate couponRedemptionRate }
    cohorts { cohortDay size retentionD1 retentionD7 retentionD30 } } }"""

# What the report read before the maintained rollups: count-distinct over 30-day windows.
BEFORE_WINDOWS = """
SELECT e.day, count(DISTINCT a.member_id) FILTER (WHERE a.day > e.day - 7),
       count(DISTINCT a.member_id)
FROM unnest($1::date[]) AS e(day)
JOIN member_activity_days a ON a.day BETWEEN e.day - 29 AND e.day
GROUP BY e.day"""


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def step(conn: asyncpg.Connection, label: str, sql: str, *args: object) -> None:
    started = time.perf_counter()
    status = await conn.execute(sql, *args)
    print(f"  {label:<44} {status:<22} {time.perf_counter() - started:6.1f} s", flush=True)


async def seed(url: str, members: int, events: int, today: date) -> int:
    """Everything above; returns the marketer's member id."""
    from domain.analytics.activity import BACKFILL
    from domain.analytics.partitions import create_partition_sql, months_between
    from domain.analytics.programme import programme_backfill

    first = today - timedelta(days=DAYS - 1)
    conn = await asyncpg.connect(_dsn(url))
    await conn.execute("SET timezone = 'UTC'; SELECT setseed(0.42)")
    before = members // 3
    await step(conn, "members", """
        INSERT INTO members (id, email, display_name, referral_code, created_at)
        SELECT g, 'm' || g || '@bench.example', 'member' || g, 'B' || lpad(g::text, 9, '0'),
               (CASE WHEN g <= $2 THEN $3::date - 1 - (g % 200)
                     ELSE $3::date + ((g - $2 - 1) * $4 / ($1 - $2)) END) + random() * interval '20 hours'
        FROM generate_series(1, $1) g""", members, before, first, DAYS)
    marketer = members + 1
    await conn.execute("""
        INSERT INTO members (id, email, display_name, referral_code, roles)
        VALUES ($1, 'marketer@bench.example', 'Marketer', 'BMARKETER', ARRAY['MEMBER', 'MARKETER'])""",
                       marketer)
    await conn.execute(f"SELECT setval(pg_get_serial_sequence('members', 'id'), {marketer})")
    await step(conn, "member_signups", """
        INSERT INTO member_signups (member_id, day)
        SELECT id, created_at::date FROM members WHERE id <= $1""", members)
    await step(conn, "member_activity_days", """
        INSERT INTO member_activity_days (day, member_id, created_content)
        SELECT d.day, s.member_id, random() < 0.08
        FROM member_signups s
        CROSS JOIN LATERAL (SELECT (hashint4(s.member_id::int) & 1023) / 1023.0 AS taste) t
        JOIN (SELECT CAST(g AS date) AS day
              FROM generate_series($1::date, $2::date, interval '1 day') g) d ON d.day >= s.day
        WHERE random() < CASE WHEN d.day = s.day THEN 1.0
                              ELSE t.taste * 0.85 * (0.55 + 0.45 * exp(-(d.day - s.day) / 20.0)) END
        ORDER BY d.day, s.member_id""", first, today)
    activity_rows = await conn.fetchval("SELECT count(*) FROM member_activity_days")

    # Content on the content days: half of them a post, the other half a comment.
    await step(conn, "posts", """
        INSERT INTO posts (author_id, body, status, topics, created_at, published_at)
        SELECT member_id, 'Bench post of day ' || day, 'PUBLISHED',
               ARRAY[(ARRAY['run', 'tea', 'gear', 'trail', 'yoga', 'bike'])[1 + member_id % 6]],
               ts, ts
        FROM (SELECT member_id, day, least(day + random() * interval '1 day', now()) AS ts
              FROM member_activity_days WHERE created_content AND member_id % 2 = 0) c
        ORDER BY ts""")
    posts = await conn.fetchval("SELECT max(id) FROM posts")
    await step(conn, "comments", """
        WITH by_day AS (SELECT created_at::date AS day, min(id) AS first, max(id) AS last
                        FROM posts GROUP BY 1)
        INSERT INTO comments (post_id, author_id, body, status, created_at, published_at)
        SELECT greatest(1, p.first - (random() * 300)::int), c.member_id, 'Bench comment',
               'PUBLISHED', c.ts, c.ts
        FROM (SELECT member_id, day, least(day + random() * interval '1 day', now()) AS ts
              FROM member_activity_days WHERE created_content AND member_id % 2 = 1) c
        JOIN by_day p ON p.day = c.day""")
    await step(conn, "reactions", """
        INSERT INTO reactions (target_type, target_id, member_id, kind, created_at)
        SELECT 'POST', 1 + ((hashint8(member_id * 1000 + (day - $2::date)) & 2147483647) % $1),
               member_id, (ARRAY['LIKE', 'LOVE', 'HAHA', 'WOW'])[1 + member_id % 4],
               least(day + random() * interval '1 day', now())
        FROM member_activity_days WHERE random() < 0.35
        ON CONFLICT DO NOTHING""", posts, first)
    await step(conn, "shares", """
        INSERT INTO shares (post_id, member_id, channel, referral_code, code_owner_id, created_at)
        SELECT 1 + (random() * ($1 - 1))::bigint, a.member_id, 'WECHAT',
               'B' || lpad(a.member_id::text, 9, '0'), a.member_id,
               least(a.day + random() * interval '1 day', now())
        FROM member_activity_days a WHERE random() < 0.03""", posts)
    await step(conn, "check_ins", """
        INSERT INTO check_ins (member_id, day, streak, points)
        SELECT member_id, day, 1, 5 FROM member_activity_days WHERE random() < 0.35""")
    await step(conn, "challenges + participants", """
        WITH c AS (
          INSERT INTO challenges (title, action, target, starts_at, ends_at, participant_count)
          SELECT 'Bench challenge ' || n, 'CHECK_IN', 5, $1::date + (n - 1) * 15,
                 $1::date + n * 15 + 10, 0
          FROM generate_series(1, 6) n RETURNING id, starts_at
        )
        INSERT INTO challenge_participants (challenge_id, member_id, progress, joined_at)
        SELECT DISTINCT ON (c.id, a.member_id) c.id, a.member_id, 1,
               a.day + random() * interval '20 hours'
        FROM c JOIN member_activity_days a
          ON a.day BETWEEN c.starts_at::date AND c.starts_at::date + 14
        WHERE random() < 0.02
        ORDER BY c.id, a.member_id, a.day""", first)
    await step(conn, "coupons", """
        WITH k AS (
          INSERT INTO coupon_campaigns (name, discount_kind, discount_value, quota,
                                        per_member_limit, valid_from, valid_until)
          VALUES ('Bench 10 %', 'PERCENT', 10, 1000000, 100, $1::date, $1::date + 400)
          RETURNING id
        ), issued AS (
          SELECT a.member_id, least(a.day + random() * interval '1 day', now()) AS at,
                 random() AS r, row_number() OVER () AS n
          FROM member_activity_days a WHERE random() < 0.03
        )
        INSERT INTO coupons (campaign_id, member_id, code, status, source, issued_at, redeemed_at)
        SELECT k.id, i.member_id, 'BC' || lpad(i.n::text, 12, '0'),
               CASE WHEN i.r < 0.4 THEN 'REDEEMED' ELSE 'ACTIVE' END, 'GRANT', i.at,
               CASE WHEN i.r < 0.4 THEN least(i.at + i.r * interval '5 days', now()) END
        FROM issued i CROSS JOIN k""", first)
    await step(conn, "feedback (NPS)", """
        INSERT INTO feedback (member_id, kind, score, status, created_at)
        SELECT member_id, 'NPS', (random() * 10)::int, 'OPEN',
               least(day + random() * interval '1 day', now())
        FROM member_activity_days WHERE random() < 0.004""")

    # Raw events: per active member-day a random number of them, `events` in all (≈).
    months = months_between(first, today)
    for month in months:
        await conn.execute(create_partition_sql(month))
    per_day = events / activity_rows
    started = time.perf_counter()
    await asyncio.gather(*[_events(url, part, 4, per_day, posts) for part in range(4)])
    stored = await conn.fetchval("SELECT count(*) FROM tracked_events")
    if stored < events:  # top up to the exact figure: one more VIEW on as many member-days
        await conn.execute("""
            INSERT INTO tracked_events (member_id, client_event_id, kind, target_type, target_id,
                                        occurred_at, received_at)
            SELECT member_id, 'b' || (day - DATE '2000-01-01') || '-extra', 'VIEW', 'Post',
                   1 + (random() * ($2 - 1))::bigint, at, at
            FROM (SELECT member_id, day, least(day + random() * interval '1 day', now()) AS at
                  FROM member_activity_days ORDER BY random() LIMIT $1) t""",
                           events - stored, posts)
        stored = await conn.fetchval("SELECT count(*) FROM tracked_events")
    print(f"  {'tracked_events (4 connections)':<44} {stored:<22,} "
          f"{time.perf_counter() - started:6.1f} s", flush=True)
    await step(conn, "tracked_event_keys (last 7 days)", """
        INSERT INTO tracked_event_keys (member_id, client_event_id, occurred_at)
        SELECT member_id, client_event_id, occurred_at FROM tracked_events
        WHERE occurred_at > now() - interval '7 days' ON CONFLICT DO NOTHING""")

    # The daily counters each action adds to, summed per brand day (UTC here).
    await step(conn, "daily_counters", """
        INSERT INTO daily_counters (day, metric, shard, value)
        SELECT day, metric, 0, sum(n) FROM (
          SELECT occurred_at::date AS day, 'events.' || kind AS metric, count(*) AS n
          FROM tracked_events GROUP BY 1, 2
          UNION ALL SELECT occurred_at::date, 'dwell.ms', sum(duration_ms)
          FROM tracked_events WHERE kind = 'DWELL' GROUP BY 1
          UNION ALL SELECT day, 'members.new', count(*) FROM member_signups GROUP BY 1
          UNION ALL SELECT created_at::date, 'posts', count(*) FROM posts GROUP BY 1
          UNION ALL SELECT created_at::date, 'comments', count(*) FROM comments GROUP BY 1
          UNION ALL SELECT created_at::date, 'reactions', count(*) FROM reactions GROUP BY 1
          UNION ALL SELECT created_at::date, 'shares', count(*) FROM shares GROUP BY 1
          UNION ALL SELECT created_at::date, 'nps.responses', count(*) FROM feedback GROUP BY 1
          UNION ALL SELECT created_at::date, 'nps.promoters', count(*) FROM feedback
          WHERE score >= 9 GROUP BY 1
          UNION ALL SELECT created_at::date, 'nps.detractors', count(*) FROM feedback
          WHERE score <= 6 GROUP BY 1
        ) c GROUP BY day, metric""")
    for n, statement in enumerate(BACKFILL):
        await step(conn, f"activity rollups backfill {n + 1}/{len(BACKFILL)}", statement)
    backfill = programme_backfill("UTC")
    for n, statement in enumerate(backfill):
        await step(conn, f"programme rollups backfill {n + 1}/{len(backfill)}", statement)
    await step(conn, "VACUUM ANALYZE", "VACUUM ANALYZE")
    await conn.close()
    return marketer


async def _events(url: str, part: int, parts: int, per_day: float, posts: int) -> None:
    conn = await asyncpg.connect(_dsn(url))
    await conn.execute(f"SET timezone = 'UTC'; SELECT setseed({0.1 + part / 10})")
    await conn.execute("""
        INSERT INTO tracked_events (member_id, client_event_id, kind, target_type, target_id,
                                    duration_ms, occurred_at, received_at)
        SELECT member_id, 'b' || (day - DATE '2000-01-01') || '-' || n, kind, 'Post',
               1 + (random() * ($2 - 1))::bigint,
               CASE WHEN kind = 'DWELL' THEN 1000 + (random() * 60000)::int END, at, at
        FROM (SELECT a.member_id, a.day, e.n,
                     least(a.day + random() * interval '1 day', now()) AS at,
                     CASE WHEN r < 0.6 THEN 'VIEW' WHEN r < 0.75 THEN 'CLICK'
                          WHEN r < 0.95 THEN 'DWELL' WHEN r < 0.98 THEN 'SHARE'
                          ELSE 'SEARCH' END AS kind
              FROM member_activity_days a
              CROSS JOIN LATERAL generate_series(1, round(1 + (2 * $1 - 2) * (hashint8(
                  a.member_id * 100000 + (a.day - DATE '2000-01-01')) & 1023) / 1023.0)::int) e(n)
              CROSS JOIN LATERAL (SELECT random() + 0 * e.n AS r) x
              WHERE a.member_id % $3 = $4) ev""", per_day, posts, parts, part)
    await conn.close()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p99 {p99:7.1f} ms   (n={len(ordered)})"


async def baseline(url: str, start: date, end: date, granularity: str, calls: int) -> list[float]:
    """Raw asyncpg running the statements the report runs, with the same arguments."""
    from domain.analytics import metrics

    statements = metrics.report_statements(start, end, metrics.Granularity(granularity), "UTC")
    prepared = [_positional(sql, params) for sql, params in statements]
    conn = await asyncpg.connect(_dsn(url))
    timings = []
    for _ in range(calls + 2):
        t0 = time.perf_counter()
        async with conn.transaction():
            for sql, args in prepared:
                await conn.fetch(sql, *args)
        timings.append((time.perf_counter() - t0) * 1000)
    await conn.close()
    return timings[2:]


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """`:name` (SQLAlchemy text) to `$n` (asyncpg)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return re.sub(r"(?<!:):([a-z_]+)", number, sql), [params[n] for n in names]


async def run(env: dict[str, str], members: int, events: int, calls: int, before: bool) -> None:
    from api.container import Container
    from rally.settings import Settings

    today = datetime.now(UTC).date()
    started = time.perf_counter()
    marketer = await seed(env["DATABASE_URL"], members, events, today)
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
    conn = await asyncpg.connect(_dsn(env["DATABASE_URL"]))
    dau = await conn.fetchval(
        "SELECT avg(n) FROM (SELECT count(*) n FROM member_activity_days GROUP BY day) d")
    sizes = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM tracked_events) AS events, "
        "(SELECT count(*) FROM member_activity_days) AS activity, "
        "(SELECT count(*) FROM members) AS members, (SELECT count(*) FROM posts) AS posts, "
        "(SELECT count(*) FROM reactions) AS reactions, (SELECT count(*) FROM coupons) AS coupons")
    print(f"  {dict(sizes)}; average DAU {dau:.0f}")
    await conn.close()

    settings = Settings(env="test", database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"],
                        secret=BENCH_SECRET, log_level="WARNING")
    container = Container.build(settings)
    token = container.tokens.issue_access(marketer, ["MEMBER", "MARKETER"])[0]
    await container.close()

    start, end = today - timedelta(days=REPORT_DAYS - 1), today
    port = free_port()
    print(f"\nengagementMetrics {start} .. {end} (90 days), load {os.getloadavg()}")
    with rally_server(env, port) as base:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            for granularity in ("DAY", "WEEK"):
                timings = []
                for n in range(calls + 2):
                    t0 = time.perf_counter()
                    response = await http.post("/graphql", json={"query": QUERY, "variables": {
                        "from": start.isoformat(), "to": end.isoformat(), "g": granularity}},
                        headers={"authorization": f"Bearer {token}"})
                    elapsed = (time.perf_counter() - t0) * 1000
                    body = response.json()
                    assert "errors" not in body, body
                    if n >= 2:  # the first calls prepare statements and warm caches
                        timings.append(elapsed)
                m = body["data"]["engagementMetrics"]
                print(f"  GraphQL {granularity:<5} {percentiles(timings)}   "
                      f"dau {m['dau']} wau {m['series'][-1]['wau']} mau {m['mau']} "
                      f"D1 {m['retentionD1']} D7 {m['retentionD7']} D30 {m['retentionD30']}")
                raw = await baseline(env["DATABASE_URL"], start, end, granularity, calls)
                print(f"  raw asyncpg, same SQL {granularity:<5} {percentiles(raw)}")
    if before:
        conn = await asyncpg.connect(_dsn(env["DATABASE_URL"]))
        ends = [start + timedelta(days=n) for n in range(REPORT_DAYS)]
        t0 = time.perf_counter()
        await conn.fetch(BEFORE_WINDOWS, ends)
        print(f"  before: count-distinct WAU/MAU windows of 90 days, once: "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=60_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--before", action="store_true",
                        help="also time the count-distinct WAU/MAU query used before, once")
    args = parser.parse_args()
    os.environ.setdefault("RALLY_TIMEZONE", "UTC")
    with servers() as env:
        asyncio.run(run(env, args.members, args.events, args.calls, args.before))


if __name__ == "__main__":
    main()

"""The personalized feed: a page of 20 ranked over 100k posts, beside raw asyncpg.

    .venv/bin/python -m bench.personal_feed [--posts 100000] [--sessions 40] [--pages 5]

Seeds `--posts` published posts with bench/feed.py's seeding (8 topics, 2,000 authors, 3
reactions each, ~30 days of history) and viewers who follow 20 members and 2 topics and hold 4 inferred interests. Each
viewer reads `--pages` pages of 20 through GraphQL (in-process ASGI, one worker), each page
ranked fresh (no replay). Printed: p50/p99 of the GraphQL request, of the feed service, and of
raw asyncpg running the same candidate SQL with the same arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx

from bench.common import BENCH_SECRET, servers
from bench.feed import TOPICS
from bench.feed import seed as seed_posts

AUTHORS = 2000
FEED = """query($after: String) { feed(first: 20, after: $after) {
  edges { node { id body topics feedReason reactionCount author { displayName } } }
  pageInfo { endCursor } } }"""


async def seed(container: Any, url: str, posts: int, viewers: int) -> list[int]:
    """The community benchmark's posts (bench/feed.py), then viewers with follows and interests."""
    await seed_posts(url, AUTHORS, posts, 3)
    await container.fetch("ANALYZE")
    ids = []
    for n in range(viewers):
        member = (await container.members.register(f"v{n}@bench.test", "bench password 1",
                                                   f"Viewer {n}")).member.id
        ids.append(member)
        await container.fetch("""
            INSERT INTO member_follows (follower_id, followee_id)
            SELECT $1, g FROM generate_series($2, $2 + 19) g""", member, 1 + n * 20 % (AUTHORS - 20))
        await container.fetch("""
            INSERT INTO topic_follows (member_id, topic) SELECT $1, t FROM unnest($2::varchar[]) t""",
                              member, list(TOPICS[n % 6: n % 6 + 2]))
        await container.fetch("""
            INSERT INTO member_interests (member_id, source, tag, score, scored_at)
            SELECT $1, 'INFERRED', t, 1 + random() * 5, now() - random() * interval '20 days'
            FROM unnest($2::varchar[]) t""", member, [TOPICS[(n * 3 + k) % 8] for k in range(4)])
    return ids


def summary(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"{name:<34} n={len(samples):<5} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"


async def run(env: dict[str, str], posts: int, sessions: int, pages: int,
              explain: bool = False) -> None:
    from api.app import create_app
    from api.container import Container
    from domain.personalization.ranking import CANDIDATES_SQL
    from domain.privacy.service import Purpose, default_for
    from rally.settings import Settings

    settings = Settings(env="test", database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"],
                        secret=BENCH_SECRET, password_time_cost=1, password_memory_kib=1024,
                        log_level="WARNING")
    container = Container.build(settings)
    await container.start(run_relay=False)
    started = time.perf_counter()
    viewers = await seed(container, env["DATABASE_URL"], posts, sessions)
    print(f"seeded {posts} posts, {sessions} viewers in {time.perf_counter() - started:.1f} s")
    if explain:
        plan = await container.fetch(
            "EXPLAIN (ANALYZE, BUFFERS) " + CANDIDATES_SQL, viewers[0],
            default_for(settings, Purpose.PERSONALIZATION), settings.interest_half_life_days * 86400,
            settings.feed_interest_tags, settings.feed_candidates_per_source, [], 90,
            settings.feed_fresh_half_life_hours)
        print("\n".join(r[0] for r in plan))
    tokens = {v: container.tokens.issue_access(v, ["MEMBER"])[0] for v in viewers}
    app = create_app(settings, container=container)
    app.state.container = container
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))

    graphql: list[float] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for viewer in viewers:
            after = None
            for _ in range(pages):
                t0 = time.perf_counter()
                response = await http.post("/graphql", json={"query": FEED,
                                                              "variables": {"after": after}},
                                           headers={"authorization": f"Bearer {tokens[viewer]}"})
                graphql.append((time.perf_counter() - t0) * 1000)
                body = response.json()
                assert "errors" not in body and len(body["data"]["feed"]["edges"]) == 20, body
                after = body["data"]["feed"]["pageInfo"]["endCursor"]
    await container.redis.flushdb()

    service: list[float] = []
    raw: list[float] = []
    seen_by_viewer: dict[int, list[int]] = {v: [] for v in viewers}
    for viewer in viewers:
        after = None
        for page_no in range(pages):
            t0 = time.perf_counter()
            page = await container.feed.page(viewer, 20, after)
            service.append((time.perf_counter() - t0) * 1000)
            after = (page.session, page.number, 19)
            seen = seen_by_viewer[viewer]
            t0 = time.perf_counter()
            await container.read_pool.fetch(  # type: ignore[union-attr]
                CANDIDATES_SQL, viewer, default_for(settings, Purpose.PERSONALIZATION),
                settings.interest_half_life_days * 86400, settings.feed_interest_tags,
                settings.feed_candidates_per_source, seen, 90, settings.feed_fresh_half_life_hours)
            raw.append((time.perf_counter() - t0) * 1000)
            seen += [r.record["id"] for r in page.items]
            assert page_no >= 0
    print(summary("feed over GraphQL (1 worker)", graphql))
    print(summary("feed service (Redis + SQL)", service))
    print(summary("raw asyncpg, same candidate SQL", raw))
    print(f"ratio p50 service/raw: {statistics.median(service) / statistics.median(raw):.2f}")
    await container.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="print the candidate query plan")
    args = parser.parse_args()
    with servers() as env:
        asyncio.run(run(env, args.posts, args.sessions, args.pages, args.explain))


if __name__ == "__main__":
    main()

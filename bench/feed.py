"""A page of 20 posts, and createPost, through Rally (one worker) beside raw Starlette+asyncpg.

    .venv/bin/python -m bench.feed [--posts 100000] [--members 10000] [--reactions-per-post 10]
                                   [--seconds 8] [--connections 32]

Seeds ≥100k posts, ≥10k members and ≥1M reactions with COPY (counters and HOT scores computed
while generating, so they agree with the rows), then drives `posts(first: 20)` with author,
topics, media, reaction counts per kind, comment count and viewerReaction for an
authenticated member, first through `rally serve --workers 1`, then through the baseline
returning the same JSON (checked equal). Then createPost with 3 topics and a mention.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import (
    LoadResult,
    compare,
    free_port,
    rally_server,
    run_wrk,
    servers,
    uvicorn_app,
    wrk,
)
from domain.community.ranking import hot_score

KINDS = ("LIKE", "LOVE", "HAHA", "WOW", "SAD", "ANGRY")
TOPICS = ("running", "coffee", "gear", "trail", "training", "yoga", "cycling", "food")
PAGE = {"query": """{ posts(first: 20) { edges { cursor node { id body topics createdAt status
  author { id displayName avatarUrl } media { kind url width height }
  reactionCount reactionCounts { kind count } commentCount viewerReaction } }
  pageInfo { hasNextPage endCursor } } }"""}


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def seed(url: str, members: int, posts: int, per_post: int) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(_dsn(url))
    now = datetime.now(UTC)
    await conn.copy_records_to_table(
        "members", columns=["id", "email", "display_name", "referral_code"],
        records=[(i, f"m{i}@bench.example", f"member{i}", f"B{i:09d}") for i in range(1, members + 1)])
    await conn.execute(f"SELECT setval(pg_get_serial_sequence('members', 'id'), {members})")
    post_rows, reaction_rows, media_rows = [], [], []
    for p in range(1, posts + 1):
        created = now - timedelta(seconds=(posts - p) * 26)  # ~30 days of history
        counts: dict[str, int] = {}
        for j in range(per_post):
            member = (p * 7 + j * 13) % members + 1
            kind = KINDS[(p + j) % 6]
            counts[kind] = counts.get(kind, 0) + 1
            reaction_rows.append(("POST", p, member, kind))
        topics = [TOPICS[p % 8], TOPICS[(p // 8) % 8]] if p % 3 else [TOPICS[p % 8]]
        post_rows.append((p, p % members + 1, f"Bench post {p}: a morning run by the river.",
                          "PUBLISHED", list(dict.fromkeys(topics)), per_post, json.dumps(counts),
                          0, 0, hot_score(per_post, 0, 0, created.timestamp()), created))
        if p % 5 == 0:
            media_rows.append((p % members + 1, "IMAGE", "image/jpeg", 100_000, f"bench-{p}.jpg",
                               f"https://cdn.example/bench-{p}.jpg", created, p, 0, 1080, 1350))
    await conn.copy_records_to_table("posts", columns=[
        "id", "author_id", "body", "status", "topics", "reaction_count", "reaction_counts",
        "comment_count", "share_count", "hot_score", "created_at"], records=post_rows)
    await conn.execute(f"SELECT setval(pg_get_serial_sequence('posts', 'id'), {posts})")
    for start in range(0, len(reaction_rows), 250_000):
        await conn.copy_records_to_table("reactions", columns=[
            "target_type", "target_id", "member_id", "kind"],
            records=reaction_rows[start:start + 250_000])
    await conn.copy_records_to_table("media", columns=[
        "owner_id", "kind", "content_type", "byte_size", "storage_key", "url", "uploaded_at",
        "post_id", "position", "width", "height"], records=media_rows)
    await conn.execute("ANALYZE")
    await conn.close()
    return time.perf_counter() - started


async def viewer_reacts(url: str, viewer: int, posts: int) -> None:
    """The bench member has reacted to every third of the newest posts (viewerReaction)."""
    conn = await asyncpg.connect(_dsn(url))
    await conn.executemany(
        "INSERT INTO reactions (target_type, target_id, member_id, kind) VALUES ('POST', $1, $2, "
        "'LOVE') ON CONFLICT DO NOTHING", [(p, viewer) for p in range(posts, posts - 60, -3)])
    await conn.close()


# Authors take turns (one token per request, round robin): members post, not one account.
_CREATE_SCRIPT = """
counter = 0
tokens = {%s}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
request = function()
  counter = counter + 1
  local body = '{"query":"mutation($b: String!) { createPost(input: {body: $b, topics: [\\\\"run\\\\", \\\\"tea\\\\", \\\\"gear\\\\"]}) { post { id } } }","variables":{"b":"bench post ' .. counter .. ' with @member2 ' .. math.random(1000000000) .. '"}}'
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]
  return wrk.format(nil, nil, headers, body)
end
"""


def wrk_create(name: str, url: str, tokens: list[str], connections: int, seconds: int) -> LoadResult:
    return run_wrk(name, url, _CREATE_SCRIPT % ", ".join(f'"{t}"' for t in tokens), connections, seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--reactions-per-post", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with servers() as env:
        took = asyncio.run(seed(env["DATABASE_URL"], args.members, args.posts,
                                args.reactions_per_post))
        print(f"seeded {args.members} members, {args.posts} posts, "
              f"{args.posts * args.reactions_per_post} reactions with COPY in {took:.1f} s")
        # Abuse limits off for the throughput run (they are Redis round trips we keep).
        env = {**env, "RALLY_POSTS_PER_MINUTE": "100000000", "RALLY_POSTS_PER_DAY": "100000000"}
        rally_port, baseline_port = free_port(), free_port()
        with rally_server(env, rally_port) as rally:
            auth = httpx.post(rally + "/graphql", json={"query": """mutation { register(input: {
                email: "bench@example.com", password: "bench-password-1", displayName: "Bench"})
                { accessToken user { id } } }"""}).json()["data"]["register"]
            token = auth["accessToken"]
            asyncio.run(viewer_reacts(env["DATABASE_URL"], args.members + 1, args.posts))
            headers = {"authorization": f"Bearer {token}"}
            expected = httpx.post(rally + "/graphql", json=PAGE, headers=headers).json()
            assert "errors" not in expected, expected
            wrk("warm-up", rally + "/graphql", PAGE, token, args.connections, 2)
            rally_page = wrk("rally  posts(first: 20)", rally + "/graphql", PAGE, token,
                             args.connections, args.seconds)
            authors = [httpx.post(rally + "/graphql", json={"query": """mutation($e: String!) {
                register(input: {email: $e, password: "bench-password-1", displayName: "Author"})
                { accessToken } }""", "variables": {"e": f"author{i}@example.com"}}).json()[
                "data"]["register"]["accessToken"] for i in range(64)]
            probe = httpx.post(rally + "/graphql", headers={"authorization": f"Bearer {authors[0]}"},
                               json={"query": """mutation { createPost(input: {body: "probe @member2",
                               topics: ["run", "tea", "gear"]}) { post { id } } }"""}).json()
            assert "errors" not in probe, probe  # wrk sees statuses only: the document must pass
            rally_create = wrk_create("rally  createPost", rally + "/graphql", authors,
                                      args.connections, args.seconds)
        with uvicorn_app("bench.baseline_feed:app", env, baseline_port, "baseline-feed") as base:
            got = httpx.post(base + "/graphql", json=PAGE, headers=headers).json()
            # createPost rows made since: the first page is now the bench's own posts on both.
            expected_now = None
            with rally_server(env, free_port()) as rally_again:
                expected_now = httpx.post(rally_again + "/graphql", json=PAGE, headers=headers).json()
            assert got == expected_now, "baseline JSON differs from Rally's"
            wrk("warm-up", base + "/graphql", PAGE, token, args.connections, 2)
            base_page = wrk("baseline posts (starlette+asyncpg)", base + "/graphql", PAGE, token,
                            args.connections, args.seconds)
            base_create = wrk_create("baseline createPost", base + "/graphql", authors,
                                     args.connections, args.seconds)
    print(f"{args.connections} connections, {args.seconds} s each, 1 worker")
    print(compare(rally_page, base_page))
    print(compare(rally_create, base_create))
    ok = math.isfinite(rally_page.p99_ms)
    assert ok


if __name__ == "__main__":
    main()

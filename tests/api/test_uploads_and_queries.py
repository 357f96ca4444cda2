"""Media uploads to Rally itself, and the fixed cost of a page of posts."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from api.app import create_app
from api.schema import schema
from tests.api.community_support import create_comment, create_post, react
from tests.support import GraphQLClient, Member, recorded_statements

REQUEST_UPLOAD = """mutation($input: RequestUploadInput!) { requestUpload(input: $input) {
  uploadUrl mediaUrl expiresAt contentType } }"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def test_upload_then_post_with_it_then_download(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    ticket = (await client.execute(REQUEST_UPLOAD, {"input": {
        "kind": "IMAGE", "contentType": "image/png", "byteSize": len(PNG)}}, alice.token)
    )["requestUpload"]
    bad_sig = ticket["uploadUrl"].replace("signature=", "signature=0")
    assert (await client.http.put(_path(bad_sig), content=PNG,
                                  headers={"content-type": "image/png"})).status_code == 403
    wrong_type = await client.http.put(_path(ticket["uploadUrl"]), content=PNG,
                                       headers={"content-type": "image/jpeg"})
    assert wrong_type.status_code == 400
    wrong_size = await client.http.put(_path(ticket["uploadUrl"]), content=PNG + b"x",
                                       headers={"content-type": "image/png"})
    assert wrong_size.status_code == 400
    ok = await client.http.put(_path(ticket["uploadUrl"]), content=PNG,
                               headers={"content-type": "image/png"})
    assert ok.status_code == 204
    post = await create_post(client, alice, "With a picture", media=[
        {"kind": "IMAGE", "url": ticket["mediaUrl"], "width": 640, "height": 480}])
    assert post["media"] == [{"kind": "IMAGE", "url": ticket["mediaUrl"]}]
    served = await client.http.get(_path(ticket["mediaUrl"]))
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"].startswith("image/png")


async def test_upload_is_streamed_in_chunks_and_a_short_or_long_body_leaves_nothing(
        client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    body = PNG + bytes(range(256)) * 64
    ticket = (await client.execute(REQUEST_UPLOAD, {"input": {
        "kind": "IMAGE", "contentType": "image/png", "byteSize": len(body)}}, alice.token)
    )["requestUpload"]
    url, headers = _path(ticket["uploadUrl"]), {"content-type": "image/png"}

    async def pieces(data: bytes, size: int = 1000):
        for start in range(0, len(data), size):
            yield data[start:start + size]

    short = await client.http.put(url, content=pieces(body[:-1]), headers=headers)
    long = await client.http.put(url, content=pieces(body + b"xyz"), headers=headers)
    assert (short.status_code, long.status_code) == (400, 400)
    media_dir = container.settings.data_dir / "media"
    leftovers = [p.name for p in media_dir.iterdir()] if media_dir.exists() else []
    assert not any(ticket["mediaUrl"].endswith(name) or name.endswith(".part")
                   for name in leftovers)
    assert (await client.http.get(_path(ticket["mediaUrl"]))).status_code == 404

    assert (await client.http.put(url, content=pieces(body), headers=headers)).status_code == 204
    again = await client.http.put(url, content=pieces(body), headers=headers)
    assert again.status_code == 400 and "complete" in again.json()["error"]
    served = await client.http.get(_path(ticket["mediaUrl"]))
    assert served.content == body


async def test_upload_limits_per_kind(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    for fields in ({"kind": "IMAGE", "contentType": "video/mp4", "byteSize": 10},
                   {"kind": "IMAGE", "contentType": "image/png",
                    "byteSize": container.settings.upload_max_bytes_image + 1},
                   {"kind": "AUDIO", "contentType": "audio/mpeg", "byteSize": 0}):
        error = await client.error(REQUEST_UPLOAD, {"input": fields}, alice.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_media_not_yet_uploaded_cannot_be_attached(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    ticket = (await client.execute(REQUEST_UPLOAD, {"input": {
        "kind": "IMAGE", "contentType": "image/png", "byteSize": 5}}, alice.token))["requestUpload"]
    error = await client.error("""mutation($input: CreatePostInput!) { createPost(input: $input) {
        post { id } } }""", {"input": {"body": "x", "media": [
        {"kind": "IMAGE", "url": ticket["mediaUrl"]}]}}, alice.token)
    assert error["extensions"]["reason"] == "UNKNOWN_MEDIA"


PAGE = """query { posts(first: 20) { edges { node { id body topics createdAt status
  author { id displayName avatarUrl } media { kind url width height }
  reactionCount reactionCounts { kind count } commentCount viewerReaction } } } }"""


async def _uploaded(client: GraphQLClient, member: Member) -> str:
    ticket = (await client.execute(REQUEST_UPLOAD, {"input": {
        "kind": "IMAGE", "contentType": "image/png", "byteSize": len(PNG)}}, member.token)
    )["requestUpload"]
    done = await client.http.put(_path(ticket["uploadUrl"]), content=PNG,
                                 headers={"content-type": "image/png"})
    assert done.status_code == 204
    return str(ticket["mediaUrl"])


async def test_a_page_of_twenty_posts_is_one_round_trip(
        client: GraphQLClient, container) -> None:
    authors = [await client.register() for _ in range(5)]
    viewer = await client.register("Viewer")
    pictures = [await _uploaded(client, authors[0]) for _ in range(2)]
    for i in range(20):
        media = [{"kind": "IMAGE", "url": url, "width": 640 + n, "height": 480}
                 for n, url in enumerate(pictures)] if i == 5 else []
        post = await create_post(client, authors[i % 5], f"post {i}", topics=["a", f"t{i}"],
                                 media=media)
        if i % 3 == 0:
            await react(client, viewer, post["id"], "LOVE")
        if i % 4 == 0:
            await create_comment(client, authors[(i + 1) % 5], post["id"], "nice")
    await container.relay.drain()
    pool_queries: list[str] = []
    pool = container.read_pool

    class CountingPool:
        async def fetch(self, sql, *args):  # type: ignore[no-untyped-def]
            pool_queries.append(sql)
            return await pool.fetch(sql, *args)

    container.read_pool = CountingPool()
    try:
        with recorded_statements(container, lambda s: "outbox" not in s) as engine_queries:
            data = await client.execute(PAGE, token=viewer.token)
    finally:
        container.read_pool = pool
    edges = data["posts"]["edges"]
    assert len(edges) == 20
    assert sum(1 for e in edges if e["node"]["viewerReaction"] == "LOVE") == 7
    assert [e["node"]["author"]["id"] for e in edges[:5]] == [a.id for a in reversed(authors)]
    assert edges[14]["node"]["media"] == [  # post 5, its pictures in their order
        {"kind": "IMAGE", "url": url, "width": 640 + n, "height": 480}
        for n, url in enumerate(pictures)]
    assert sum(len(e["node"]["media"]) for e in edges) == 2
    # The posts, their authors, media and the viewer's reactions: one statement.
    assert len(pool_queries) + len(engine_queries) == 1, pool_queries + engine_queries


SHAPES = [
    PAGE,
    """query { posts(first: 20) { __typename edges { __typename cursor n: node { ...P
      ... on Post { again: id author { __typename ... on User { displayName } } } } }
      pageInfo { hasNextPage endCursor } } } fragment P on Post { id topics reactionCounts { count
      kind k: kind } author { id } author { displayName } viewerReaction commentCount }""",
    """query($with: Boolean!) { posts(first: 7) { edges { node { id body @include(if: $with)
      topics @skip(if: $with) comments(first: 3) { edges { node { id body author { id }
      reactionCounts { kind } } } } } } } }""",
    """query { posts(first: 5) { edges { node { id editHistory { body } feedReason } } } }""",
]


@pytest.mark.parametrize("shape", range(len(SHAPES)))
async def test_lean_execution_answers_like_graphql_core_on_real_pages(
        client: GraphQLClient, container, shape: int) -> None:
    """The page's fast execution path (api.community.lean) against graphql-core's own."""
    authors = [await client.register() for _ in range(3)]
    viewer = await client.register("Viewer")
    for i in range(8):
        post = await create_post(client, authors[i % 3], f"post {i}", topics=["a", f"t{i}"])
        if i % 3 == 0:
            await react(client, viewer, post["id"], "LOVE")
        if i % 4 == 0:
            await create_comment(client, authors[(i + 1) % 3], post["id"], "nice")
    await container.relay.drain()
    app = create_app(container.settings, container=container)
    app.state.container = container
    graphql_http = next(r.endpoint.__self__ for r in app.routes if r.path == "/graphql"
                        and hasattr(r, "methods"))
    graphql_http._execution_context_class = schema.execution_context_class
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://rally.test") as http:
        reference = GraphQLClient(http)
        for token in (viewer.token, None):
            variables = {"with": True} if "$with" in SHAPES[shape] else None
            got = (await client.post(SHAPES[shape], variables, token)).json()
            expected = (await reference.post(SHAPES[shape], variables, token)).json()
            assert got["data"] == expected["data"]
            assert got["data"]["posts"]["edges"]
            assert [(e["message"], e["path"]) for e in got.get("errors", ())] == [
                (e["message"], e["path"]) for e in expected.get("errors", ())]

"""With S3 settings, uploads go to the store by presigned URL and are confirmed by HEAD.

The store is moto's S3 server over real HTTP (boto3 signs, httpx uploads)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from domain.community.media import MediaService
from domain.community.models import MediaKind
from domain.community.posts import MediaRef, PostDraft, PostService
from domain.community.storage import S3Store
from rally.errors import InvalidInput

moto_server = pytest.importorskip("moto.server")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_presigned_upload_then_post_confirms_it_by_head(container, s3_endpoint: str) -> None:
    settings = container.settings.model_copy(update={
        "s3_bucket": "rally-media", "s3_endpoint_url": s3_endpoint, "s3_access_key_id": "test",
        "s3_secret_access_key": SecretStr("test"), "s3_public_url": "https://cdn.example/media"})
    store = S3Store(settings)
    store._client.create_bucket(Bucket="rally-media")
    media = MediaService(container.uow, store)
    posts = PostService(container.uow, container.limiter, container.redis, media,
                        container.keyword_rules)
    author = (await container.members.register("s3@example.com", "correct horse battery",
                                               "Uploader")).member.id
    ticket = await media.request_upload(author, MediaKind.IMAGE, "image/png", len(PNG))
    assert ticket.media_url.startswith("https://cdn.example/media/")
    assert "X-Amz-Signature" in ticket.upload_url
    ref = MediaRef(MediaKind.IMAGE, ticket.media_url, 10, 10)
    with pytest.raises(InvalidInput):  # not uploaded yet: HEAD finds nothing
        await posts.create(author, PostDraft("too early", media=[ref]))
    async with httpx.AsyncClient() as http:
        response = await http.put(ticket.upload_url, content=PNG,
                                  headers={"content-type": "image/png"})
    assert response.status_code == 200, response.text
    result = await posts.create(author, PostDraft("with a picture", media=[ref]))
    assert result.post.id

"""Where uploaded media bytes live: Rally's data dir (default) or an S3-compatible store.

A store signs an upload URL for one object and says whether an object arrived. The embedded
store learns it from its own PUT route; S3 is asked (HEAD) when a post first uses the object.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Protocol

from rally.settings import Settings


@dataclass(frozen=True)
class SignedUpload:
    upload_url: str
    media_url: str


class MediaStore(Protocol):
    confirms_on_put: bool

    def sign_upload(self, storage_key: str, content_type: str, byte_size: int,
                    expires_at: int) -> SignedUpload: ...

    async def uploaded_size(self, storage_key: str, content_type: str) -> int | None: ...


class EmbeddedStore:
    """Files under `data_dir/media`, PUT to and served by Rally (`api/community/uploads.py`)."""

    confirms_on_put = True

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def signature(self, storage_key: str, expires_at: int, content_type: str, size: int) -> str:
        message = f"{storage_key}|{expires_at}|{content_type}|{size}".encode()
        return hmac.new(self._settings.secret_value().encode(), message, hashlib.sha256).hexdigest()

    def sign_upload(self, storage_key: str, content_type: str, byte_size: int,
                    expires_at: int) -> SignedUpload:
        media_url = f"{self._settings.public_url.rstrip('/')}/media/{storage_key}"
        signature = self.signature(storage_key, expires_at, content_type, byte_size)
        return SignedUpload(f"{media_url}?expires={expires_at}&signature={signature}", media_url)

    async def uploaded_size(self, storage_key: str, content_type: str) -> int | None:
        return None  # the PUT route records arrivals itself


class S3Store:
    """Presigned PUT URLs of an S3-compatible store; boto3 signs locally, HEAD confirms."""

    confirms_on_put = False

    def __init__(self, settings: Settings) -> None:
        import boto3  # optional dependency: `pip install rally[s3]`
        from botocore.config import Config

        secret = settings.s3_secret_access_key
        self._client: Any = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(signature_version="s3v4"))
        self._bucket = settings.s3_bucket
        self._ttl = settings.upload_url_ttl_seconds
        base = settings.s3_public_url or f"{(settings.s3_endpoint_url or '').rstrip('/')}/{self._bucket}"
        self._public = base.rstrip("/")

    def sign_upload(self, storage_key: str, content_type: str, byte_size: int,
                    expires_at: int) -> SignedUpload:
        url = self._client.generate_presigned_url(
            "put_object", ExpiresIn=self._ttl,
            Params={"Bucket": self._bucket, "Key": storage_key, "ContentType": content_type,
                    "ContentLength": byte_size})
        return SignedUpload(url, f"{self._public}/{storage_key}")

    async def uploaded_size(self, storage_key: str, content_type: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = await asyncio.to_thread(self._client.head_object, Bucket=self._bucket,
                                           Key=storage_key)
        except ClientError:
            return None
        if str(head.get("ContentType", "")).split(";")[0] != content_type:
            return None
        return int(head["ContentLength"])


def media_store(settings: Settings) -> MediaStore:
    return S3Store(settings) if settings.s3_bucket else EmbeddedStore(settings)

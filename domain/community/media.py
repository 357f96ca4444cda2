"""Uploads: a short-lived signed URL for one file, in Rally's data dir or an S3 store.

The embedded store's signature binds storage key, expiry, content type and size, so a URL
cannot be reused for another file. A post may only use media its author finished uploading.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select, update

from domain.community import rules
from domain.community.models import Media, MediaKind
from domain.community.storage import EmbeddedStore, MediaStore, media_store
from rally.errors import Forbidden, InvalidInput, NotFound
from rally.uow import UnitOfWorkFactory

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif",
               "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm",
               "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/aac": "aac", "audio/ogg": "ogg"}


@dataclass(frozen=True)
class UploadTicket:
    media_id: int
    upload_url: str
    media_url: str
    expires_at: datetime
    content_type: str


class MediaService:
    def __init__(self, uow_factory: UnitOfWorkFactory, store: MediaStore | None = None) -> None:
        self._uow_factory = uow_factory
        self._settings = uow_factory.settings
        self.store = store or media_store(self._settings)

    @property
    def directory(self) -> Path:
        return self._settings.data_dir / "media"

    async def request_upload(self, owner_id: int, kind: MediaKind, content_type: str,
                             byte_size: int) -> UploadTicket:
        content_type = rules.check_upload(self._settings, kind, content_type, byte_size)
        storage_key = f"{secrets.token_urlsafe(18)}.{_EXTENSIONS.get(content_type, 'bin')}"
        expires = int(time.time()) + self._settings.upload_url_ttl_seconds
        signed = self.store.sign_upload(storage_key, content_type, byte_size, expires)
        async with self._uow_factory() as uow:
            media_id = (await uow.session.execute(insert(Media).values(
                owner_id=owner_id, kind=kind.value, content_type=content_type,
                byte_size=byte_size, storage_key=storage_key, url=signed.media_url)
                .returning(Media.id))).scalar_one()
            await uow.commit()
        return UploadTicket(media_id, signed.upload_url, signed.media_url,
                            datetime.fromtimestamp(expires, UTC), content_type)

    async def confirm_uploads(self, owner_id: int, urls: list[str]) -> None:
        """Asks a store that learns nothing of PUTs (S3) whether these files arrived whole."""
        if self.store.confirms_on_put or not urls:
            return
        async with self._uow_factory() as uow:
            pending = (await uow.session.execute(select(Media.id, Media.storage_key,
                                                        Media.content_type, Media.byte_size)
                       .where(Media.url.in_(urls), Media.owner_id == owner_id,
                              Media.uploaded_at.is_(None)))).all()
            for row in pending:
                size = await self.store.uploaded_size(row.storage_key, row.content_type)
                if size == row.byte_size:
                    await uow.session.execute(update(Media).where(Media.id == row.id)
                                              .values(uploaded_at=await uow.now()))
            await uow.commit()

    async def receive(self, storage_key: str, expires: str, signature: str, content_type: str,
                      chunks: AsyncIterator[bytes]) -> None:
        """Store the bytes of a signed upload; refuses expired, forged or mismatched ones.

        Everything is checked before the body is read, and the body is streamed to disk with
        its announced size as a hard cap: a 100 MB video never sits in memory, and no
        transaction stays open while the bytes arrive.
        """
        if not isinstance(self.store, EmbeddedStore):
            raise NotFound("uploads go to the S3 store")
        async with self._uow_factory() as uow:
            media = (await uow.session.execute(
                select(Media.id, Media.content_type, Media.byte_size, Media.uploaded_at)
                .where(Media.storage_key == storage_key))).first()
        if media is None:
            raise NotFound("unknown upload")
        if not expires.isdigit() or int(expires) < time.time():
            raise Forbidden("this upload URL has expired")
        expected = self.store.signature(storage_key, int(expires), media.content_type,
                                        media.byte_size)
        if not secrets.compare_digest(expected, signature):
            raise Forbidden("bad upload signature")
        if content_type.split(";")[0].strip().lower() != media.content_type:
            raise InvalidInput(f"send the file as {media.content_type}")
        if media.uploaded_at is not None:
            raise InvalidInput("this upload is complete already")
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{storage_key}.{secrets.token_hex(6)}.part"
        try:
            received = 0
            with partial.open("wb") as out:
                async for chunk in chunks:
                    received += len(chunk)
                    if received > media.byte_size:
                        break
                    out.write(chunk)
            if received != media.byte_size:
                raise InvalidInput(
                    f"the file must be exactly {media.byte_size} bytes as announced")
            async with self._uow_factory() as uow:
                # Conditional, so of two concurrent PUTs of one signed URL only one completes it.
                completed = (await uow.session.execute(
                    update(Media).where(Media.id == media.id, Media.uploaded_at.is_(None))
                    .values(uploaded_at=await uow.now()).returning(Media.id))).first()
                if completed is None:
                    raise InvalidInput("this upload is complete already")
                partial.replace(self.directory / storage_key)
                await uow.commit()
        finally:
            partial.unlink(missing_ok=True)

    async def file(self, storage_key: str) -> tuple[Path, str]:
        async with self._uow_factory() as uow:
            row = (await uow.session.execute(select(Media.content_type, Media.uploaded_at)
                                             .where(Media.storage_key == storage_key))).first()
        if row is None or row.uploaded_at is None:
            raise NotFound("no such media")
        return self.directory / storage_key, row.content_type

"""Pure rules of the community: bodies, topics, mentions, media and upload checks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from domain.community.models import MediaKind
from rally.errors import InvalidInput
from rally.settings import Settings

# `@name`: letters, digits, `_`, `.` and `-` (display names with spaces are matched on their
# first word only when that word is the whole name).
_MENTION = re.compile(r"(?<![\w@])@([\w.\-]{1,32})")


def check_body(body: str, maximum: int, what: str = "body") -> str:
    text = body.strip()
    if not text:
        raise InvalidInput(f"the {what} must not be empty", field="body")
    if len(text) > maximum:
        raise InvalidInput(f"the {what} must have at most {maximum} characters", field="body",
                           maximum=maximum)
    return text


def normalize_topic(topic: str, maximum: int) -> str:
    """`  #Running ` → `running`: trimmed, `#` stripped, NFKC and case-folded."""
    value = unicodedata.normalize("NFKC", topic).strip().lstrip("#").strip().casefold()
    if not value:
        raise InvalidInput("a topic must not be empty", field="topics")
    if len(value) > maximum or any(c.isspace() for c in value):
        raise InvalidInput(f"a topic is one word of at most {maximum} characters",
                           field="topics", topic=topic)
    return value


def normalize_topics(topics: list[str], maximum_count: int, maximum_chars: int) -> list[str]:
    normalized = list(dict.fromkeys(normalize_topic(t, maximum_chars) for t in topics))
    if len(normalized) > maximum_count:
        raise InvalidInput(f"a post has at most {maximum_count} topics", field="topics",
                           maximum=maximum_count)
    return normalized


def mention_names(body: str) -> list[str]:
    """The names `@mentioned` in a body, case-folded, in order, once each."""
    return list(dict.fromkeys(m.casefold() for m in _MENTION.findall(body)))


def body_fingerprint(body: str) -> str:
    """Identity of a body for the duplicate check: whitespace and case do not make it new."""
    canonical = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class UploadLimits:
    content_types: tuple[str, ...]
    max_bytes: int


def upload_limits(settings: Settings, kind: MediaKind) -> UploadLimits:
    if kind is MediaKind.IMAGE:
        return UploadLimits(tuple(settings.upload_types_image), settings.upload_max_bytes_image)
    if kind is MediaKind.VIDEO:
        return UploadLimits(tuple(settings.upload_types_video), settings.upload_max_bytes_video)
    return UploadLimits(tuple(settings.upload_types_audio), settings.upload_max_bytes_audio)


def check_upload(settings: Settings, kind: MediaKind, content_type: str, byte_size: int) -> str:
    limits = upload_limits(settings, kind)
    content_type = content_type.strip().lower()
    if content_type not in limits.content_types:
        raise InvalidInput(f"{kind.value} uploads must be one of {', '.join(limits.content_types)}",
                           field="contentType", allowed=list(limits.content_types))
    if byte_size <= 0 or byte_size > limits.max_bytes:
        raise InvalidInput(f"{kind.value} uploads must be 1 to {limits.max_bytes} bytes",
                           field="byteSize", maximum=limits.max_bytes)
    return content_type


def check_media_dimensions(kind: MediaKind, width: int | None, height: int | None,
                           duration_ms: int | None) -> None:
    for name, value in (("width", width), ("height", height), ("durationMs", duration_ms)):
        if value is not None and not 0 < value <= 100_000_000:
            raise InvalidInput(f"{name} must be positive", field=name)
    if kind is MediaKind.IMAGE and duration_ms is not None:
        raise InvalidInput("an image has no duration", field="durationMs")

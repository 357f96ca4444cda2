"""One typed settings object, read once at start (environment variables, `RALLY_` prefix)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RALLY_", extra="ignore")

    env: Literal["dev", "prod", "test"] = "dev"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "RALLY_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "RALLY_REDIS_URL")
    )
    data_dir: Path = Path(".rally")
    secret: SecretStr | None = None
    timezone: str = "UTC"
    # Connections per process; a burst of requests queues for one (see rally/redis.py).
    redis_max_connections: int = 64
    public_url: str = "http://127.0.0.1:8000"

    cors_origins: list[str] = []
    ws_origins: list[str] = []

    # tokens
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    # argon2id cost; the defaults are argon2-cffi's recommended ones, tests lower them
    password_time_cost: int = 3
    password_memory_kib: int = 65536

    # request limits
    max_body_bytes: int = 256 * 1024
    max_document_bytes: int = 16 * 1024
    max_query_depth: int = 12
    max_aliases: int = 30
    max_query_cost: int = 20_000
    max_page_size: int = 100
    default_page_size: int = 20

    # login throttling (failures within the window)
    login_failures_per_email: int = 5
    login_failures_per_address: int = 30
    login_failure_window_seconds: int = 15 * 60

    # analytics and privacy
    consent_policy_version: str = "2026-11"
    # Defaults while a member has not answered: analytics and personalization are on until he
    # withdraws them (PRODUCT.md: opt-out); marketing needs an explicit yes.
    consent_default_analytics: bool = True
    consent_default_personalization: bool = True
    consent_default_marketing: bool = False
    track_max_events_per_call: int = 100
    track_max_age_days: int = 7
    track_clock_skew_seconds: int = 60  # client clocks a little ahead are not "the future"
    track_max_duration_ms: int = 6 * 3600 * 1000
    track_max_context_bytes: int = 2048
    raw_event_retention_days: int = 180
    # exportMyData: how long the signed download URL works (the document is deleted after)
    export_url_ttl_seconds: int = 3600
    # A guest account (no password) confirms deleteMyAccount by typing this phrase.
    account_deletion_phrase: str = "DELETE MY ACCOUNT"
    report_max_days: int = 366
    report_min_group_size: int = 5
    feedback_per_hour: int = 20
    # coupons: how long after a redemption the store may still void it; the largest grant
    coupon_void_window_seconds: int = 30 * 60
    coupon_grant_max_members: int = 1000
    # realtime (GraphQL over WebSocket)
    ws_init_timeout_seconds: float = 10.0
    ws_keepalive_seconds: float = 15.0
    ws_max_subscriptions: int = 20
    # Counted per process (each worker enforces it on its own connections).
    ws_max_connections_per_member: int = 10
    ws_max_message_bytes: int = 64 * 1024
    # Seconds without a new WebSocket before the live ones are frozen out of the GC's full
    # collections (see RealtimeServer._freeze_when_settled).
    ws_gc_freeze_after_seconds: float = 0.5
    ws_gc_refreeze_max_seconds: float = 60.0
    # Frames waiting for a slow client before it is disconnected (1013).
    ws_max_queued_frames: int = 1000

    # community: content sizes, abuse limits per member, reports that hide, uploads
    post_max_chars: int = 5000
    comment_max_chars: int = 2000
    post_max_media: int = 9
    post_max_topics: int = 5
    topic_max_chars: int = 64
    posts_per_minute: int = 5
    posts_per_day: int = 100
    comments_per_minute: int = 20
    reactions_per_minute: int = 120
    reports_per_day: int = 20
    duplicate_body_window_seconds: int = 600
    reports_to_hide: int = 3
    share_url_base: str = "https://rally.app/p"
    upload_url_ttl_seconds: int = 900
    upload_max_bytes_image: int = 10 * 1024 * 1024
    upload_max_bytes_video: int = 200 * 1024 * 1024
    upload_max_bytes_audio: int = 20 * 1024 * 1024
    upload_types_image: list[str] = ["image/jpeg", "image/png", "image/webp", "image/gif"]
    upload_types_video: list[str] = ["video/mp4", "video/quicktime", "video/webm"]
    upload_types_audio: list[str] = ["audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg"]
    # campaigns: mini-games, quizzes, challenges, polls, catalogue, referrals
    minigame_max_prizes: int = 20
    minigame_max_weight: int = 1_000_000
    # A limited prize's stock is split over this many rows so concurrent winners don't queue.
    minigame_stock_shards: int = 64
    # A coupon campaign's quota is split over this many rows (see domain/coupons/models.py).
    coupon_quota_shards: int = 64
    quiz_max_questions: int = 50
    quiz_max_options: int = 10
    campaign_max_points: int = 100_000
    challenge_max_target: int = 10_000
    poll_max_options: int = 10

    # gamification: levels by lifetime earned points (names and thresholds, same length,
    # thresholds rising from 0), check-in milestone bonuses (streak day -> points), lifetime
    # points milestones that notify, leaderboards
    level_names: list[str] = ["Newcomer", "Regular", "Insider", "Champion", "Legend"]
    level_thresholds: list[int] = [0, 100, 500, 2000, 10000]
    check_in_milestones: dict[int, int] = {7: 50, 30: 300}
    points_milestones: list[int] = [100, 500, 1000, 5000, 10000, 50000]
    point_rule_max_points: int = 10_000
    point_rule_max_daily_cap: int = 1_000
    badge_max_threshold: int = 1_000_000
    badge_max_count: int = 200
    # "COMPETITION": ties share a rank (1, 2, 2, 4); "EARLIEST_FIRST": 1..N, of two equal
    # scores the one reached first ranks first. Ties are always listed earliest first.
    leaderboard_ranks: Literal["COMPETITION", "EARLIEST_FIRST"] = "COMPETITION"
    leaderboard_around_me: int = 5
    weekly_top_rewarded: int = 10
    weekly_top_points: list[int] = [500, 300, 200, 100, 100, 50, 50, 50, 50, 50]
    leaderboard_period_keep_days: int = 70
    leaderboard_realtime_top: int = 10
    leaderboard_close_check_seconds: float = 300.0
    # S3-compatible media store (boto3, `pip install rally[s3]`); unset: files in the data dir
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_public_url: str | None = None  # where objects are served from; default endpoint/bucket

    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_read_pool_size: int = 20
    log_level: str = "INFO"
    log_json: bool = True

    # personalization: interests, segments, the "for you" feed
    interest_max_explicit: int = 20
    interest_tag_max_chars: int = 64
    # Inferred interest scores halve every this many days (decayed on read and on update).
    interest_half_life_days: float = 14.0
    # What one signal adds to the topics of the post it touched; an explicit interest scores
    # like this many points and does not decay.
    interest_explicit_score: float = 5.0
    interest_reaction_score: float = 1.0
    interest_comment_score: float = 2.0
    interest_share_score: float = 3.0
    interest_click_score: float = 0.5
    interest_dwell_score: float = 1.5
    interest_dwell_min_ms: int = 10_000  # a DWELL shorter than this is not "viewed long"
    # An interest rule of a segment matches members whose current weight reaches this.
    segment_interest_min_weight: float = 1.0
    segment_max_rules: int = 10
    segment_name_max_chars: int = 80
    feed_session_ttl_seconds: int = 1800  # idle time after which a feed session starts over
    feed_candidates_per_source: int = 150
    feed_interest_tags: int = 20  # strongest interests used to rank
    feed_max_posts_per_author: int = 2  # per page (diversity)
    feed_fresh_half_life_hours: float = 24.0

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    def secret_value(self) -> str:
        """The signing secret; generated once and kept in the data dir outside prod."""
        if self.secret is not None:
            return self.secret.get_secret_value()
        if self.env == "prod":
            raise RuntimeError("RALLY_SECRET must be set when RALLY_ENV=prod")
        path = self.data_dir / "secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret = SecretStr(path.read_text().strip())
        return self.secret.get_secret_value()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def async_database_url(url: str) -> str:
    """Accept the usual `postgresql://` forms and hand SQLAlchemy its asyncpg dialect."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")

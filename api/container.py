"""The composition root: every long-lived resource and service of a process, built once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from api.realtime.hub import RealtimeHub
from api.realtime.publisher import RealtimePublisher
from domain.analytics.metrics import EngagementService
from domain.analytics.partitions import PartitionKeeper
from domain.analytics.tracking import TrackingService
from domain.audit.service import AuditService
from domain.community.comments import CommentService
from domain.community.media import MediaService
from domain.community.posts import PostService
from domain.community.queries import CommunityReader
from domain.community.reactions import ReactionService
from domain.community.social import SocialService
from domain.coupons.service import CouponService
from domain.experiments.service import ExperimentService
from domain.feedback.service import FeedbackService
from domain.members.credentials import Passwords, Tokens
from domain.members.revocations import Revocations
from domain.members.service import MemberService
from domain.moderation.screening import KeywordRuleCache
from domain.moderation.service import ModerationService
from domain.notifications.service import NotificationService
from domain.personalization.feed import PersonalFeed
from domain.personalization.interests import InterestService
from domain.personalization.segments import SegmentService
from domain.privacy.rights import PrivacyRights
from domain.privacy.service import ConsentService
from gamification.campaigns.services import CampaignServices
from gamification.leaderboard import LeaderboardService
from gamification.service import GamificationService
from rally.db import create_engine, session_factory
from rally.events import bus
from rally.outbox import OutboxRelay
from rally.ratelimit import RateLimiter
from rally.redis import create_redis
from rally.settings import Settings
from rally.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)


def register_event_handlers() -> None:
    """Import the modules whose handlers subscribe to domain events on the bus, and those
    that register personal data (exportMyData / deleteMyAccount) or segment rules."""
    import domain.analytics.handlers
    import domain.community.handlers
    import domain.notifications.handlers
    import domain.personalization.handlers  # noqa: F401
    import gamification.analytics
    import gamification.campaigns.handlers
    import gamification.campaigns.personal_data
    import gamification.handlers
    import gamification.personal_data
    import gamification.segment_rules  # noqa: F401


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    redis: Redis
    uow: UnitOfWorkFactory
    relay: OutboxRelay
    limiter: RateLimiter
    tokens: Tokens
    keyword_rules: KeywordRuleCache  # one per process: posts, comments and display names
    consents: ConsentService
    tracking: TrackingService
    engagement: EngagementService
    experiments: ExperimentService
    feedback: FeedbackService
    members: MemberService
    audit: AuditService
    notifications: NotificationService
    coupons: CouponService
    realtime: RealtimeHub
    revocations: Revocations
    privacy: PrivacyRights
    interests: InterestService
    segments: SegmentService
    feed: PersonalFeed
    posts: PostService
    comments: CommentService
    reactions: ReactionService
    social: SocialService
    media: MediaService
    moderation: ModerationService
    community: CommunityReader
    campaigns: CampaignServices
    raw_dsn: str = ""
    # Plain asyncpg pool for DataLoader batches: reads need no unit of work, and skipping
    # SQLAlchemy's async adaptation halves the cost of a hot read.
    read_pool: asyncpg.Pool | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    gamification: GamificationService = None  # type: ignore[assignment]  # set by build()
    leaderboards: LeaderboardService = None  # type: ignore[assignment]  # set by build()
    _period_closer: asyncio.Task[None] | None = None

    @classmethod
    def build(cls, settings: Settings) -> Container:
        register_event_handlers()
        engine = create_engine(settings)
        redis = create_redis(settings.redis_url or "", settings.redis_max_connections)
        raw_dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        relay = OutboxRelay(engine, projectors=[])
        uow = UnitOfWorkFactory(session_factory(engine), bus, settings, on_commit=relay.kick)
        limiter = RateLimiter(redis)
        tokens = Tokens(settings)
        passwords = Passwords(settings)
        revocations = Revocations(redis, settings.access_token_ttl_seconds)
        keyword_rules = KeywordRuleCache(redis)
        container = cls(
            settings=settings,
            engine=engine,
            redis=redis,
            uow=uow,
            relay=relay,
            limiter=limiter,
            tokens=tokens,
            keyword_rules=keyword_rules,
            consents=ConsentService(uow),
            tracking=TrackingService(uow, PartitionKeeper(engine)),
            engagement=EngagementService(uow),
            experiments=ExperimentService(uow),
            feedback=FeedbackService(uow, limiter),
            members=MemberService(uow, passwords, tokens, limiter, keyword_rules),
            audit=AuditService(uow),
            notifications=NotificationService(uow),
            coupons=CouponService(uow),
            revocations=revocations,
            privacy=PrivacyRights(uow, passwords, revocations),
            campaigns=CampaignServices.build(uow),
            interests=InterestService(uow),
            segments=SegmentService(uow),
            feed=None,  # type: ignore[arg-type]  # reads on the container's pool
            raw_dsn=raw_dsn,
            realtime=None,  # type: ignore[arg-type]  # needs the container itself
            posts=None,  # type: ignore[arg-type]  # needs the media service
            comments=CommentService(uow, limiter, keyword_rules),
            reactions=ReactionService(uow, limiter),
            social=SocialService(uow),
            media=MediaService(uow),
            moderation=None,  # type: ignore[arg-type]  # needs the member service
            community=None,  # type: ignore[arg-type]  # reads on the container's pool
        )
        container.posts = PostService(uow, limiter, redis, container.media, keyword_rules)
        container.moderation = ModerationService(uow, limiter, container.members, redis)
        container.community = CommunityReader(container.fetch)
        container.feed = PersonalFeed(container.fetch, redis, settings)
        container.realtime = RealtimeHub(container, settings.redis_url or "")
        container.gamification = GamificationService(uow)
        container.leaderboards = LeaderboardService(uow, redis)
        return container

    async def start(self, run_relay: bool = True) -> None:
        self.read_pool = await asyncpg.create_pool(
            self.raw_dsn, min_size=1, max_size=self.settings.db_read_pool_size,
            server_settings={"application_name": "rally-read", "timezone": "UTC"},
            reset=_keep_session)
        await self.realtime.start()
        # Leaderboards in Redis follow the ledger's events (before the publisher announces them).
        self.relay.add_projector(self.leaderboards.projector)
        # Last projector: events are announced only once every projection (leaderboards in
        # Redis…) reflects them, and a failed projection does not announce a batch twice.
        self.relay.add_projector(RealtimePublisher(self.redis))
        if run_relay:
            await self.relay.start()
            self._period_closer = asyncio.create_task(self._close_finished_periods())

    async def _close_finished_periods(self) -> None:
        """Rewards each finished week's top members once (idempotent across processes)."""
        while True:
            try:
                await self.leaderboards.close_finished_weeks()
            except Exception:  # retried at the next tick; one log line
                log.exception("closing finished leaderboard periods failed")
            await asyncio.sleep(self.settings.leaderboard_close_check_seconds)

    async def fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        """One read on the read pool (DataLoader batches, hot queries)."""
        assert self.read_pool is not None, "container not started"
        return await self.read_pool.fetch(sql, *args)

    async def close(self) -> None:
        if self._period_closer is not None:
            self._period_closer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._period_closer
        await self.relay.stop()
        if self.read_pool is not None:
            await self.read_pool.close()
        await self.realtime.stop()
        await self.redis.aclose()
        await self.engine.dispose()


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The read pool only runs single reads (no LISTEN, locks, SET or cursors), so a released
    connection needs no reset query: skipping it saves a round trip per DataLoader batch."""

"""The composition root: every long-lived resource and service of a process, built once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
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
from domain.members.service import MemberService
from domain.moderation.service import ModerationService
from domain.notifications.service import NotificationService
from domain.privacy.service import ConsentService
from rally.db import create_engine, session_factory
from rally.events import bus
from rally.outbox import OutboxRelay
from rally.ratelimit import RateLimiter
from rally.redis import create_redis
from rally.settings import Settings
from rally.uow import UnitOfWorkFactory


def register_event_handlers() -> None:
    """Import the modules whose handlers subscribe to domain events on the bus."""
    import domain.analytics.handlers
    import domain.community.handlers
    import domain.notifications.handlers  # noqa: F401
    import gamification.handlers  # noqa: F401


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    redis: Redis
    uow: UnitOfWorkFactory
    relay: OutboxRelay
    limiter: RateLimiter
    tokens: Tokens
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
    posts: PostService
    comments: CommentService
    reactions: ReactionService
    social: SocialService
    media: MediaService
    moderation: ModerationService
    community: CommunityReader
    raw_dsn: str = ""
    # Plain asyncpg pool for DataLoader batches: reads need no unit of work, and skipping
    # SQLAlchemy's async adaptation halves the cost of a hot read.
    read_pool: asyncpg.Pool | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings) -> Container:
        register_event_handlers()
        engine = create_engine(settings)
        redis = create_redis(settings.redis_url or "")
        raw_dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        relay = OutboxRelay(engine, raw_dsn, projectors=[])
        uow = UnitOfWorkFactory(session_factory(engine), bus, settings, on_commit=relay.kick)
        limiter = RateLimiter(redis)
        tokens = Tokens(settings)
        container = cls(
            settings=settings,
            engine=engine,
            redis=redis,
            uow=uow,
            relay=relay,
            limiter=limiter,
            tokens=tokens,
            consents=ConsentService(uow),
            tracking=TrackingService(uow, PartitionKeeper(engine)),
            engagement=EngagementService(uow),
            experiments=ExperimentService(uow),
            feedback=FeedbackService(uow, limiter),
            members=MemberService(uow, Passwords(settings), tokens, limiter),
            audit=AuditService(uow),
            notifications=NotificationService(uow),
            coupons=CouponService(uow),
            raw_dsn=raw_dsn,
            realtime=None,  # type: ignore[arg-type]  # needs the container itself
            posts=None,  # type: ignore[arg-type]  # needs the media service
            comments=CommentService(uow, limiter),
            reactions=ReactionService(uow, limiter),
            social=SocialService(uow),
            media=MediaService(uow),
            moderation=None,  # type: ignore[arg-type]  # needs the member service
            community=None,  # type: ignore[arg-type]  # reads on the container's pool
        )
        container.posts = PostService(uow, limiter, redis, container.media)
        container.moderation = ModerationService(uow, limiter, container.members)
        container.community = CommunityReader(container.fetch)
        container.realtime = RealtimeHub(container, settings.redis_url or "")
        return container

    async def start(self, run_relay: bool = True) -> None:
        self.read_pool = await asyncpg.create_pool(
            self.raw_dsn, min_size=1, max_size=self.settings.db_read_pool_size,
            server_settings={"application_name": "rally-read", "timezone": "UTC"})
        await self.realtime.start()
        # Last projector: events are announced only once every projection (leaderboards in
        # Redis…) reflects them, and a failed projection does not announce a batch twice.
        self.relay.add_projector(RealtimePublisher(self.redis))
        if run_relay:
            await self.relay.start()

    async def fetch(self, sql: str, *args: Any) -> Sequence[asyncpg.Record]:
        """One read on the read pool (DataLoader batches, hot queries)."""
        assert self.read_pool is not None, "container not started"
        return await self.read_pool.fetch(sql, *args)

    async def close(self) -> None:
        await self.relay.stop()
        if self.read_pool is not None:
            await self.read_pool.close()
        await self.realtime.stop()
        await self.redis.aclose()
        await self.engine.dispose()

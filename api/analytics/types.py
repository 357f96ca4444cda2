from __future__ import annotations

from datetime import date

import strawberry

from domain.analytics.metrics import Bucket, CohortRetention, EngagementReport, Granularity
from domain.analytics.rules import EventKind

EventKindEnum = strawberry.enum(EventKind, name="EventKind")
GranularityEnum = strawberry.enum(Granularity, name="Granularity")


@strawberry.type(description="Engagement over one day or week (brand time zone).")
class EngagementBucket:
    start: date
    end: date
    dau: float = strawberry.field(description="Average daily active members over the bucket.")
    wau: int = strawberry.field(description="Distinct active members in the 7 days ending on `end`.")
    mau: int = strawberry.field(description="Distinct active members in the 30 days ending on `end`.")
    stickiness: float | None = strawberry.field(description="dau / mau.")
    new_members: int
    posts_created: int
    comments_created: int
    reactions_added: int
    posts_shared: int
    ugc_rate: float | None = strawberry.field(
        description="Share of the active members who posted or commented.")
    views: int
    clicks: int
    feed_ctr: float | None = strawberry.field(description="CLICK events / VIEW events.")
    average_dwell_ms: float | None
    nps: float | None = strawberry.field(
        description="Net promoter score (−100…100); null under the minimum number of answers.")
    nps_responses: int
    check_in_rate: float | None = strawberry.field(
        description="Check-ins per active member-day (at most 1).")
    challenge_participation_rate: float | None = strawberry.field(
        description="Members who joined a challenge / active members.")
    coupon_redemption_rate: float | None = strawberry.field(
        description="Of the coupons issued in the bucket, the share redeemed so far.")

    @classmethod
    def from_domain(cls, b: Bucket) -> EngagementBucket:
        return cls(**vars(b))


@strawberry.type(description="Retention of the members who joined on one day (cohorts under "
                             "the minimum group size are left out).")
class CohortRetentionRow:
    cohort_day: date
    size: int
    retention_d1: float | None
    retention_d7: float | None
    retention_d30: float | None

    @classmethod
    def from_domain(cls, c: CohortRetention) -> CohortRetentionRow:
        return cls(cohort_day=c.cohort_day, size=c.size, retention_d1=c.d1, retention_d7=c.d7,
                   retention_d30=c.d30)


@strawberry.type(description="Engagement of the community between two brand days (inclusive). "
                             "Top-level figures cover the whole range; `series` splits it.")
class EngagementMetrics:
    from_: date = strawberry.field(name="from")
    to: date
    granularity: GranularityEnum  # type: ignore[valid-type]
    dau: float
    wau: int
    mau: int
    stickiness: float | None
    new_members: int
    posts_created: int
    comments_created: int
    reactions_added: int
    posts_shared: int
    ugc_rate: float | None
    feed_ctr: float | None
    average_dwell_ms: float | None
    nps: float | None
    nps_responses: int
    retention_d1: float | None
    retention_d7: float | None
    retention_d30: float | None
    check_in_rate: float | None
    challenge_participation_rate: float | None
    coupon_redemption_rate: float | None
    series: list[EngagementBucket]
    cohorts: list[CohortRetentionRow]

    @classmethod
    def from_domain(cls, r: EngagementReport) -> EngagementMetrics:
        t = r.total
        return cls(
            from_=r.start, to=r.end, granularity=r.granularity, dau=t.dau, wau=t.wau, mau=t.mau,
            stickiness=t.stickiness, new_members=t.new_members, posts_created=t.posts_created,
            comments_created=t.comments_created, reactions_added=t.reactions_added,
            posts_shared=t.posts_shared, ugc_rate=t.ugc_rate, feed_ctr=t.feed_ctr,
            average_dwell_ms=t.average_dwell_ms, nps=t.nps, nps_responses=t.nps_responses,
            retention_d1=r.retention_d1, retention_d7=r.retention_d7,
            retention_d30=r.retention_d30, check_in_rate=t.check_in_rate,
            challenge_participation_rate=t.challenge_participation_rate,
            coupon_redemption_rate=t.coupon_redemption_rate,
            series=[EngagementBucket.from_domain(b) for b in r.buckets],
            cohorts=[CohortRetentionRow.from_domain(c) for c in r.cohorts])

"""engagementMetrics: figures from the rollups fed by tracking and community events."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from api.relay import decode_id
from domain.analytics.models import MemberSignup
from domain.analytics.rollups import mark_active
from domain.analytics.rules import EventKind, TrackedEvent
from domain.events import CommentCreated, PostCreated, PostShared, ReactionAdded
from domain.feedback.service import FeedbackKind
from tests.support import GraphQLClient, post_without_events

METRICS = """query($from: Date!, $to: Date!, $g: Granularity) {
  engagementMetrics(from: $from, to: $to, granularity: $g) {
    dau wau mau stickiness newMembers postsCreated commentsCreated reactionsAdded postsShared
    ugcRate feedCtr averageDwellMs nps npsResponses retentionD1 retentionD7 retentionD30
    series { start end dau wau mau postsCreated views clicks feedCtr }
    cohorts { cohortDay size retentionD1 retentionD7 retentionD30 } } }"""
CSV = """query($from: Date!, $to: Date!) { engagementMetricsCsv(from: $from, to: $to) }"""


def today() -> date:
    return datetime.now(UTC).date()


async def publish_community_activity(container, author: int, other: int) -> None:
    """What the community module announces when members post, comment, react and share."""
    async with container.uow() as uow:
        await uow.publish(PostCreated(post_id=1, author_id=author, topics=["running"],
                                      status="PUBLISHED"))
        await uow.publish(CommentCreated(comment_id=1, post_id=1, author_id=other,
                                         post_author_id=author))
        await uow.publish(ReactionAdded(target_type="POST", target_id=1, owner_id=author,
                                        member_id=other, kind="LIKE"))
        await uow.publish(ReactionAdded(target_type="POST", target_id=1, owner_id=author,
                                        member_id=other, kind="LOVE", replaced=True))
        await uow.publish(PostShared(share_id=1, post_id=1, member_id=other, channel="WECHAT",
                                     referral_code="abc"))
        await uow.commit()


def events(kind: EventKind, n: int, at: datetime, prefix: str, duration: int | None = None):
    return [TrackedEvent(client_event_id=f"{prefix}-{i}", kind=kind, target_type="Post",
                         target_id=1, duration_ms=duration, occurred_at=at, context=None)
            for i in range(n)]



@pytest.fixture(autouse=True)
async def tracked_post(clean_state: None, container) -> None:
    """Tracked events must target a real post; this one announces nothing to the rollups."""
    await post_without_events(container, 1)

async def test_metrics_count_community_events_and_tracked_behaviour(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    a, b = decode_id(alice.id, "User"), decode_id(bob.id, "User")
    await publish_community_activity(container, a, b)
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    await container.tracking.track(a, events(EventKind.VIEW, 10, now, "v")
                                   + events(EventKind.CLICK, 2, now, "c")
                                   + events(EventKind.DWELL, 2, now, "d", duration=3000))
    await container.tracking.track(b, events(EventKind.VIEW, 10, yesterday, "v"))
    for score in (10, 9, 9, 3, 7):
        await container.feedback.submit(b, FeedbackKind.NPS, score, None, None)

    start = today() - timedelta(days=1)
    m = (await client.execute(METRICS, {"from": start.isoformat(), "to": today().isoformat()},
                              marketer.token))["engagementMetrics"]
    assert (m["postsCreated"], m["commentsCreated"], m["reactionsAdded"], m["postsShared"]) == (1, 1, 1, 1)
    assert m["newMembers"] == 3  # the marketer, Alice and Bob joined today
    assert m["feedCtr"] == 0.1  # 2 clicks / 20 views
    assert m["averageDwellMs"] == 3000
    assert m["nps"] == 40.0 and m["npsResponses"] == 5  # (3 promoters − 1 detractor) / 5
    assert m["mau"] == 2 and m["wau"] == 2
    assert m["ugcRate"] == 1.0  # both active members posted or commented
    assert [(s["start"], s["dau"], s["views"]) for s in m["series"]] == [
        (start.isoformat(), 1.0, 10), (today().isoformat(), 2.0, 10)]
    assert m["dau"] == 1.5 and m["stickiness"] == 0.75


async def test_retention_by_cohort_hides_cohorts_under_five_members(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    big, small = today() - timedelta(days=40), today() - timedelta(days=39)
    async with container.uow() as uow:
        await uow.session.execute(insert(MemberSignup), [
            {"member_id": 1000 + i, "day": big} for i in range(10)]
            + [{"member_id": 2000 + i, "day": small} for i in range(3)])
        active = ([(1000 + i, big + timedelta(days=1)) for i in range(4)]
                  + [(1000 + i, big + timedelta(days=7)) for i in range(2)]
                  + [(1000, big + timedelta(days=30))]
                  + [(2000 + i, small + timedelta(days=1)) for i in range(3)])
        for member_id, day in active:  # the path every action takes (rollups included)
            await mark_active(uow, member_id, {day})
        await uow.commit()
    m = (await client.execute(METRICS, {"from": big.isoformat(), "to": small.isoformat(),
                                        "g": "WEEK"}, marketer.token))["engagementMetrics"]
    assert m["cohorts"] == [{"cohortDay": big.isoformat(), "size": 10, "retentionD1": 0.4,
                             "retentionD7": 0.2, "retentionD30": 0.1}]
    assert (m["retentionD1"], m["retentionD7"], m["retentionD30"]) == (0.4, 0.2, 0.1)


async def test_nps_under_five_answers_is_not_shown(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    await container.feedback.submit(decode_id(alice.id, "User"), FeedbackKind.NPS, 10, None, None)
    m = (await client.execute(METRICS, {"from": today().isoformat(), "to": today().isoformat()},
                              marketer.token))["engagementMetrics"]
    assert m["nps"] is None and m["npsResponses"] == 1


async def test_week_granularity_splits_the_range_at_mondays(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    start = date(2026, 11, 4)  # a Wednesday
    m = (await client.execute(METRICS, {"from": start.isoformat(), "to": "2026-11-17", "g": "WEEK"},
                              marketer.token))["engagementMetrics"]
    assert [(s["start"], s["end"]) for s in m["series"]] == [
        ("2026-11-04", "2026-11-08"), ("2026-11-09", "2026-11-15"), ("2026-11-16", "2026-11-17")]


async def test_the_report_exports_as_csv(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    for _ in range(4):
        await client.register()  # today's cohort reaches the minimum group size of 5
    start = today() - timedelta(days=2)
    text = (await client.execute(CSV, {"from": start.isoformat(), "to": today().isoformat()},
                                 marketer.token))["engagementMetricsCsv"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["start", "end", "dau", "wau"]
    assert [r[0] for r in rows[1:4]] == [(start + timedelta(days=i)).isoformat() for i in range(3)]
    assert rows[1 + 3] == []
    assert rows[5][0] == "cohort_day"
    assert rows[6][:2] == [today().isoformat(), "5"]


async def test_reports_are_for_marketers_and_admins_only(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    moderator = await client.member_with_roles(container, "MODERATOR")
    admin = await client.member_with_roles(container, "ADMIN")
    variables = {"from": today().isoformat(), "to": today().isoformat()}
    for member in (alice, moderator):
        for query in (METRICS, CSV):
            error = await client.error(query, variables, member.token)
            assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await client.error(METRICS, variables))["extensions"]["code"] == "UNAUTHENTICATED"
    assert "engagementMetrics" in await client.execute(METRICS, variables, admin.token)


async def test_ranges_over_a_year_or_backwards_are_refused(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    for start, end, field in (("2025-01-01", "2026-01-02", "to"), ("2026-02-01", "2026-01-01", "from")):
        error = await client.error(METRICS, {"from": start, "to": end}, marketer.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["field"] == field
    full_year = await client.execute(METRICS, {"from": "2025-01-01", "to": "2025-12-31",
                                               "g": "WEEK"}, marketer.token)
    assert len(full_year["engagementMetrics"]["series"]) == 53


async def test_content_of_a_member_without_analytics_consent_counts_but_not_him(
        client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await client.execute("mutation { updateConsents(input: {analytics: false}) { consents { "
                         "analytics { granted } } } }", token=alice.token)
    await publish_community_activity(container, decode_id(alice.id, "User"), decode_id(bob.id, "User"))
    m = (await client.execute(METRICS, {"from": today().isoformat(), "to": today().isoformat()},
                              marketer.token))["engagementMetrics"]
    assert m["postsCreated"] == 1
    assert m["dau"] == 1.0  # Bob only

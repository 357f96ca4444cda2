"""trackEvents: validation, deduplication, consent, rollups."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from api.relay import to_global_id
from domain.analytics.models import DailyCounter, MemberActivityDay, tracked_events
from tests.support import GraphQLClient, post_without_events

TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) {
  accepted duplicates consentWithheld } }"""
POST = to_global_id("Post", 7)


def event(n: int, kind: str = "VIEW", **fields) -> dict:
    base = {"clientEventId": f"e-{n}", "kind": kind, "targetId": POST,
            "occurredAt": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()}
    if kind == "DWELL":
        base["durationMs"] = 1500
    return {**base, **fields}


async def raw_count(container) -> int:
    async with container.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(tracked_events))


async def counters(container) -> dict[str, int]:
    """Daily counters fed by tracking (registrations count new members elsewhere)."""
    async with container.uow() as uow:
        rows = await uow.session.execute(select(DailyCounter.metric, func.sum(DailyCounter.value))
                                         .where(DailyCounter.metric != "members.new")
                                         .group_by(DailyCounter.metric))
        return {m: int(v) for m, v in rows}



@pytest.fixture(autouse=True)
async def tracked_post(clean_state: None, container) -> None:
    """Tracked events must target a real post; this one announces nothing to the rollups."""
    await post_without_events(container, 7)

async def test_tracked_events_are_stored_once_and_counted(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    batch = [event(1), event(2, "CLICK"), event(3, "DWELL"), event(1)]
    result = (await client.execute(TRACK, {"input": {"events": batch}}, alice.token))["trackEvents"]
    assert result == {"accepted": 3, "duplicates": 1, "consentWithheld": False}
    again = (await client.execute(TRACK, {"input": {"events": batch[:2]}}, alice.token))["trackEvents"]
    assert again == {"accepted": 0, "duplicates": 2, "consentWithheld": False}
    assert await raw_count(container) == 3
    totals = await counters(container)
    assert totals["events.VIEW"] == 1 and totals["events.CLICK"] == 1
    assert totals["events.DWELL"] == 1 and totals["dwell.ms"] == 1500
    async with container.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(MemberActivityDay)) == 1


async def test_concurrent_retries_of_one_batch_store_it_once(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    batch = [event(n) for n in range(20)]
    results = await asyncio.gather(*[
        client.execute(TRACK, {"input": {"events": batch}}, alice.token) for _ in range(4)])
    assert sum(r["trackEvents"]["accepted"] for r in results) == 20
    assert await raw_count(container) == 20
    assert (await counters(container))["events.VIEW"] == 20


async def test_the_same_client_event_id_of_two_members_is_two_events(
        client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    for member in (alice, bob):
        await client.execute(TRACK, {"input": {"events": [event(1)]}}, member.token)
    assert await raw_count(container) == 2


async def test_events_land_in_monthly_partitions(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    await client.execute(TRACK, {"input": {"events": [event(1)]}}, alice.token)
    async with container.uow() as uow:
        where = (await uow.session.execute(text(
            "SELECT tableoid::regclass::text FROM tracked_events"))).scalar_one()
    month = datetime.now(UTC) - timedelta(minutes=5)
    assert where == f"tracked_event_partitions.tracked_events_y{month.year}m{month.month:02d}"


async def test_withdrawn_analytics_consent_stores_nothing(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    await client.execute("mutation { updateConsents(input: {analytics: false}) { consents { "
                         "analytics { granted } } } }", token=alice.token)
    result = (await client.execute(TRACK, {"input": {"events": [event(1), event(2)]}},
                                   alice.token))["trackEvents"]
    assert result == {"accepted": 0, "duplicates": 0, "consentWithheld": True}
    assert await raw_count(container) == 0
    assert await counters(container) == {}
    await client.execute("mutation { updateConsents(input: {analytics: true}) { consents { "
                         "analytics { granted } } } }", token=alice.token)
    result = (await client.execute(TRACK, {"input": {"events": [event(1)]}}, alice.token))
    assert result["trackEvents"]["accepted"] == 1


async def test_an_idempotency_key_replays_the_first_answer(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    variables = {"input": {"events": [event(1), event(2)], "idempotencyKey": "k-1"}}
    first = await client.execute(TRACK, variables, alice.token)
    second = await client.execute(TRACK, variables, alice.token)
    assert first == second == {"trackEvents": {"accepted": 2, "duplicates": 0,
                                               "consentWithheld": False}}
    other = {"input": {"events": [event(3)], "idempotencyKey": "k-1"}}
    assert (await client.error(TRACK, other, alice.token))["extensions"]["code"] == "CONFLICT"
    assert await raw_count(container) == 2


async def test_bad_batches_are_refused_whole_and_store_nothing(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    now = datetime.now(UTC)
    limit = container.settings.track_max_events_per_call
    bad = {
        "oversized": ([event(n) for n in range(limit + 1)], "events"),
        "future": ([event(1), event(2, occurredAt=(now + timedelta(hours=1)).isoformat())],
                   "events.1.occurredAt"),
        "too old": ([event(1, occurredAt=(now - timedelta(days=8)).isoformat())],
                    "events.0.occurredAt"),
        "malformed target": ([event(1, targetId="%%%not-an-id")], "events.0.targetId"),
        "target of a type not tracked": ([event(1, targetId=to_global_id("AuditEntry", 1))],
                                         "events.0.targetId"),
        "negative duration": ([event(1, "DWELL", durationMs=-5)], "events.0.durationMs"),
        "endless dwell": ([event(1, "DWELL", durationMs=10 ** 9)], "events.0.durationMs"),
        "dwell without duration": ([event(1, "DWELL", durationMs=None)], "events.0.durationMs"),
        "view without target": ([event(1, targetId=None)], "events.0.targetId"),
        "context not an object": ([event(1, context=[1, 2])], "events.0.context"),
        "huge context": ([event(1, context={"q": "x" * 5000})], "events.0.context"),
    }
    for name, (events, field) in bad.items():
        error = await client.error(TRACK, {"input": {"events": events}}, alice.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", name
        assert error["extensions"]["field"] == field, name
    assert await raw_count(container) == 0
    assert await counters(container) == {}


async def test_an_unknown_kind_is_refused(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    error = await client.error(TRACK, {"input": {"events": [event(1, "PURCHASE")]}}, alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await raw_count(container) == 0


async def test_tracking_needs_a_member(client: GraphQLClient, container) -> None:
    error = await client.error(TRACK, {"input": {"events": [event(1)]}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await raw_count(container) == 0


async def test_a_search_needs_no_target(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    search = event(1, "SEARCH", targetId=None, context={"query": "trail shoes"})
    result = await client.execute(TRACK, {"input": {"events": [search]}}, alice.token)
    assert result["trackEvents"]["accepted"] == 1


async def test_many_members_tracking_at_once_are_all_counted(client: GraphQLClient, container) -> None:
    members = [await client.register() for _ in range(8)]
    batches = [[event(n, kind) for n, kind in enumerate(["VIEW", "CLICK", "VIEW", "SHARE"] * 5)]
               for _ in members]
    await asyncio.gather(*[client.execute(TRACK, {"input": {"events": b}}, m.token)
                           for m, b in zip(members, batches, strict=True)])
    totals = await counters(container)
    assert (totals["events.VIEW"], totals["events.CLICK"], totals["events.SHARE"]) == (80, 40, 40)
    assert await raw_count(container) == 160


async def test_targets_must_exist_and_be_visible_to_the_member(client: GraphQLClient,
                                                               container) -> None:
    from tests.api.community_support import BLOCK, create_post

    alice = await client.register("Alice")
    bob = await client.register("Bob")
    bobs = await create_post(client, bob, "Bob's run", topics=["running"])
    await client.execute(TRACK, {"input": {"events": [event(1, targetId=bobs["id"])]}},
                         alice.token)
    await client.execute(BLOCK, {"input": {"userId": alice.id}}, bob.token)
    before = await raw_count(container)
    for name, target in (("unknown post", to_global_id("Post", 999)),
                         ("post of a member who blocks her", bobs["id"]),
                         ("unknown member", to_global_id("User", 999))):
        error = await client.error(TRACK, {"input": {"events": [event(2), event(3, targetId=target)]}},
                                   alice.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", name
        assert error["extensions"]["field"] == "events.1.targetId", name
    assert await raw_count(container) == before
    ok = await client.execute(TRACK, {"input": {"events": [event(4, targetId=bob.id)]}},
                              alice.token)
    assert ok["trackEvents"]["accepted"] == 1

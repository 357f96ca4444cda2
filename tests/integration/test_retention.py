"""The retention job drops expired months, trims the straddling one, keeps the rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, insert, select

from domain.analytics.models import DailyCounter, TrackedEventKey, tracked_events
from domain.analytics.partitions import create_months, existing_months, partition_name
from domain.analytics.retention import apply_retention


def raw(member_id: int, at: datetime, n: int) -> dict:
    return {"member_id": member_id, "client_event_id": f"e{n}", "kind": "VIEW",
            "target_type": "Post", "target_id": 1, "occurred_at": at, "received_at": at}


async def seed(container, now: datetime) -> dict[str, datetime]:
    moments = {"long gone": now - timedelta(days=400), "just expired": now - timedelta(days=181),
               "recent": now - timedelta(days=10)}
    async with container.engine.begin() as conn:
        await create_months(conn, [m.date() for m in moments.values()])
    async with container.uow() as uow:
        await uow.session.execute(insert(tracked_events), [
            raw(1, at, i) for i, at in enumerate(moments.values())])
        await uow.session.execute(insert(TrackedEventKey), [
            {"member_id": 1, "client_event_id": "old", "occurred_at": now - timedelta(days=10)},
            {"member_id": 1, "client_event_id": "new", "occurred_at": now - timedelta(days=1)}])
        await uow.session.execute(insert(DailyCounter).values(
            day=(now - timedelta(days=400)).date(), metric="events.VIEW", shard=1, value=1))
        await uow.commit()
    return moments


async def remaining(container) -> tuple[list[datetime], list[str], int]:
    async with container.uow() as uow:
        events = list((await uow.session.execute(
            select(tracked_events.c.occurred_at).order_by(tracked_events.c.occurred_at))).scalars())
        keys = list((await uow.session.execute(select(TrackedEventKey.client_event_id))).scalars())
        counters = await uow.session.scalar(select(func.count()).select_from(DailyCounter))
    return events, keys, counters


async def test_retention_removes_only_expired_raw_data_and_can_run_again(container) -> None:
    now = datetime.now(UTC)
    moments = await seed(container, now)
    outcome = await apply_retention(container.engine, container.settings, now=now)
    assert partition_name(moments["long gone"].date()) in outcome.dropped_partitions
    assert outcome.pruned_keys == 1
    events, keys, counters = await remaining(container)
    assert events == [moments["recent"]]
    assert keys == ["new"]
    assert counters == 1  # rollups are kept
    async with container.engine.connect() as conn:
        months = await existing_months(conn)
    assert months[-1] >= (now + timedelta(days=40)).date().replace(day=1)  # created ahead

    again = await apply_retention(container.engine, container.settings, now=now)
    assert (again.dropped_partitions, again.deleted_events, again.pruned_keys) == ([], 0, 0)
    assert await remaining(container) == (events, keys, counters)


def test_the_retention_command_runs_against_the_database(database_url, redis_url, monkeypatch) -> None:
    from api.cli import main
    from rally.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("RALLY_ENV", "test")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["retention", "--days", "30"])
        refused = CliRunner().invoke(main, ["retention", "--days", "3"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "deleted" in result.output and "dedup key" in result.output
    assert refused.exit_code != 0


async def test_tracking_creates_a_missing_month_itself(container) -> None:
    keeper = container.tracking._partitions
    keeper.forget()
    far = datetime(2031, 3, 5, tzinfo=UTC)
    await keeper.ensure_months([far])
    async with container.engine.connect() as conn:
        assert far.date().replace(day=1) in await existing_months(conn)

"""The migrations build exactly the models' schema, and unwind completely."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from rally.migrate import downgrade, upgrade
from rally.schema_models import metadata
from rally.settings import async_database_url
from tests.conftest import _server_url_with_db


async def _differences(url: str) -> list:
    engine = create_async_engine(async_database_url(url))
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), metadata()))
    await engine.dispose()
    return diff


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    await conn.close()
    return {r["tablename"] for r in rows}


async def test_upgrade_from_empty_matches_models_and_downgrade_unwinds(database_server: str) -> None:
    name = f"rally_migrations_{uuid.uuid4().hex[:8]}"
    admin_dsn = database_server.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _server_url_with_db(admin_dsn, name)
    try:
        await asyncio.to_thread(upgrade, url)
        assert await _differences(url) == []
        await asyncio.to_thread(downgrade, url, "base")
        assert await _tables(url) <= {"alembic_version"}
        await asyncio.to_thread(upgrade, url)
        assert "members" in await _tables(url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

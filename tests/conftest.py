"""Real PostgreSQL and Redis for every test.

Embedded by default (pgserver under .rally/test, a throw-away redis-server per session);
TEST_DATABASE_URL / TEST_REDIS_URL point the suite at running servers instead. Each session
migrates its own fresh database; each test starts from empty tables and an empty Redis.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from api.app import create_app
from api.container import Container
from rally.embedded import EmbeddedPostgres, EmbeddedRedis
from rally.migrate import upgrade
from rally.schema_models import metadata
from rally.settings import Settings
from tests.support import GraphQLClient

ROOT = Path(__file__).resolve().parent.parent


def _server_url_with_db(url: str, database: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def database_server() -> Iterator[str]:
    """A URL of a PostgreSQL server's maintenance database."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    embedded = EmbeddedPostgres(ROOT / ".rally" / "test" / "postgres")
    yield embedded.start("postgres")
    embedded.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="rally-redis-") as directory:
        server = EmbeddedRedis(Path(directory), persistent=False)
        yield server.start()
        server.stop()


@pytest.fixture(scope="session")
async def database_url(database_server: str) -> AsyncIterator[str]:
    name = f"rally_test_{uuid.uuid4().hex[:10]}"
    admin_dsn = database_server.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _server_url_with_db(admin_dsn, name)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        secret="test-secret-not-for-production-use-only-0123456789",
        password_time_cost=1,
        password_memory_kib=1024,
        log_json=True,
    )


@pytest.fixture(scope="session")
async def container(settings: Settings) -> AsyncIterator[Container]:
    container = Container.build(settings)
    await container.start(run_relay=True)
    yield container
    await container.close()


_TABLES = ", ".join(
    f'"{t.name}"' for t in metadata().sorted_tables
)


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the servers starts from empty tables and an empty Redis."""
    if "container" not in request.fixturenames:
        yield
        return
    container: Container = request.getfixturevalue("container")
    async with container.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    await container.redis.flushdb()
    container.revocations.forget_cached()
    yield


@pytest.fixture
async def client(container: Container) -> AsyncIterator[GraphQLClient]:
    app = create_app(container.settings, container=container)
    app.state.container = container
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://rally.test") as http:
        yield GraphQLClient(http)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    # Tests without servers first: a broken unit rule fails fast.
    items.sort(key=lambda item: 0 if "/unit/" in str(item.fspath) else 1)

"""Fixtures: databases (SQLite always, PostgreSQL where reachable), brokers, a live server."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db import create_engine, create_sessionmaker
from hub.migrate import upgrade
from hub.models import Base
from hub.settings import Settings
from tests import services as svc
from tests.integrations.social.platforms import World, platforms
from tests.services import run_sync
from tests.support import RunningServer, Seeded, run_server, seed


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per run; each test gets a copy (migrations run for real,
    at the cost of one file copy per test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated once; dropped at the end."""
    svc.require_postgres()
    import asyncpg

    name = f"council_hub_test_{uuid.uuid4().hex[:8]}"
    admin_dsn = svc.POSTGRES_URL.replace("+asyncpg", "")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    run_sync(lambda: admin(f'CREATE DATABASE "{name}"'))
    url = svc.POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    try:
        yield url
    finally:
        run_sync(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "hub.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


async def _truncate(url: str) -> None:
    """Empties every table of a PostgreSQL database and restarts its ids at 1, as TRUNCATE ...
    RESTART IDENTITY would: DELETE, children first, and the sequences set back, in one round
    trip. TRUNCATE gives each table new files and took 0.3-0.6 s here, this 0.03-0.08 s, for
    each of the ~150 tests parametrised on PostgreSQL."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        sequences = await conn.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
        )
        deletes = "".join(f'DELETE FROM "{t.name}";' for t in reversed(Base.metadata.sorted_tables))
        restarts = "".join(f"SELECT setval('\"{r[0]}\"', 1, false);" for r in sequences)
        await conn.execute(f"BEGIN;{deletes}{restarts}COMMIT;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_database")
    run_sync(lambda: _truncate(url))
    return url


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def broker_url(request: pytest.FixtureRequest) -> str:
    """Every test using this runs on the in-process broker and on Redis."""
    if request.param == "memory":
        return "memory://"
    svc.require_redis()
    return svc.redis_url()


@pytest.fixture
def redis_url() -> str:
    """The test Redis, with this process's channel prefix."""
    svc.require_redis()
    return svc.redis_url()


@pytest.fixture
async def sessionmaker(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def settings_for(database_url: str, broker_url: str = "memory://", **overrides: object) -> Settings:
    base = Settings(
        database_url=database_url, broker_url=broker_url, secret_key="test-secret-" + "x" * 20
    )
    from dataclasses import replace

    return replace(base, **overrides)  # type: ignore[arg-type]


async def seed_url(url: str) -> Seeded:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await seed(session)
    finally:
        await engine.dispose()


@pytest.fixture
async def seeded(db_url: str) -> Seeded:
    return await seed_url(db_url)


@pytest.fixture
async def server(db_url: str, seeded: Seeded) -> AsyncIterator[RunningServer]:
    """The hub under uvicorn on the parametrised database, memory broker."""
    async with run_server(settings_for(db_url)) as running:
        yield running


@pytest.fixture
async def sqlite_seeded(sqlite_url: str) -> Seeded:
    return await seed_url(sqlite_url)


@pytest.fixture
async def sqlite_server(sqlite_url: str, sqlite_seeded: Seeded) -> AsyncIterator[RunningServer]:
    """The hub under uvicorn on SQLite only, for tests about HTTP and sockets, not storage."""
    async with run_server(settings_for(sqlite_url)) as running:
        yield running


@pytest.fixture
async def sessionmaker_for_sqlite(
    sqlite_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(sqlite_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium for the run, started by the first browser test
    (tests/browser/support.py); skipped, or failed in CI, if missing."""
    from tests.browser.support import BrowserServer

    server = BrowserServer(tmp_path_factory.mktemp("browser"))
    try:
        server.endpoint()
        yield server
    finally:
        server.close()


@pytest.fixture
async def browser(browser_server: Any) -> AsyncIterator[object]:
    """Headless Chromium (the run's one, ``browser_server``): a client of this test's own, and
    every context the test opens is closed when it ends."""
    from tests.browser.support import connect_browser

    async for b in connect_browser(browser_server):
        yield b


@pytest.fixture
async def world() -> AsyncIterator[World]:
    """Fake X, Mastodon and Bluesky over real HTTP on loopback (tests/integrations/social)."""
    async with platforms() as faked:
        yield faked

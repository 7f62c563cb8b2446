"""The PostgreSQL pool's health check (hub/db.py): a connection idle for a while is pinged
before it is lent again, one used a moment ago is not, and a dead one never fails twice."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy import exc, text

from hub import db as hub_db

pytestmark = pytest.mark.postgres


async def _backend_pid(engine: object) -> int:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(url: str, pid: int) -> None:
    admin = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        # Wait until the server has let it go.
        for _ in range(100):
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid=$1", pid):
                break
    finally:
        await admin.close()


def _count_pings(engine: object, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Counts the engine's pings from now on; returns the count so far."""
    dialect = engine.sync_engine.dialect  # type: ignore[attr-defined]
    ping, pings = dialect.do_ping, [0]

    def counted(conn: object) -> bool:
        pings[0] += 1
        return bool(ping(conn))

    monkeypatch.setattr(dialect, "do_ping", counted)
    return lambda: pings[0]


async def test_an_idle_connection_that_died_is_replaced_before_anyone_uses_it(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_db, "PING_AFTER_IDLE_S", 0.0)  # every return counts as idle
    engine = hub_db.create_engine(postgres_database)
    try:
        first = await _backend_pid(engine)
        await _terminate(postgres_database, first)
        # The pool lends its one idle connection: the ping finds it dead, a new one serves.
        assert await _backend_pid(engine) != first
    finally:
        await engine.dispose()


async def test_a_connection_used_a_moment_ago_is_lent_without_a_ping(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_db, "PING_AFTER_IDLE_S", 3600.0)
    engine = hub_db.create_engine(postgres_database)
    pings = _count_pings(engine, monkeypatch)
    try:
        first = await _backend_pid(engine)
        for _ in range(5):
            assert await _backend_pid(engine) == first
        assert pings() == 0
        # Died while counted as fresh: its statement fails once, the pool is invalidated,
        # and the next transaction gets a live connection.
        await _terminate(postgres_database, first)
        with pytest.raises(exc.DBAPIError):
            await _backend_pid(engine)
        assert await _backend_pid(engine) != first
    finally:
        await engine.dispose()


async def test_a_fresh_connection_is_not_pinged(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_db, "PING_AFTER_IDLE_S", 0.0)
    engine = hub_db.create_engine(postgres_database)
    pings = _count_pings(engine, monkeypatch)
    try:
        await _backend_pid(engine)
        assert pings() == 0  # just connected
        await _backend_pid(engine)
        assert pings() == 1  # returned, then lent again past the (zero) idle time
    finally:
        await engine.dispose()

"""Engine and session factory.

SQLite is the embedded default: WAL so readers never wait for the writer, synchronous=FULL so a
commit is on disk before anyone is told it happened (with NORMAL, WAL commits since the last
checkpoint can vanish in a power cut; FULL costs one fsync per commit, about 0.3 ms here, and
residents' submissions share commits: hub/intake.py), a busy timeout so a
second process (the CLI beside a running server) waits instead of failing, and write transactions
begun IMMEDIATE so two writers never deadlock upgrading a shared lock. Writers ask for that with
``session.connection(execution_options=WRITE)``; readers stay DEFERRED and run concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

WRITE: dict[str, Any] = {"council_hub_write": True}
SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"isolation_level": None})
        _configure_sqlite(engine)
        return engine
    # pool_pre_ping: a PostgreSQL restart must not leave dead connections in the pool.
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("council_hub_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# SQLite takes one writer at a time. Writers of this process queue here, in order and without a
# time limit, instead of in SQLite's busy handler, whose timeout turns a long queue (a burst of
# residents' comments) into "database is locked" errors.
_SQLITE_WRITE_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def write_lock(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> contextlib.AbstractAsyncContextManager[Any]:
    """Held around every write transaction: this process's SQLite writers take turns here;
    PostgreSQL needs nothing (its row locks order writers)."""
    engine = sessionmaker.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    lock = _SQLITE_WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _SQLITE_WRITE_LOCKS[engine] = asyncio.Lock()
    return lock

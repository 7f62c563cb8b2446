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
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as exc_
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
    engine = create_async_engine(url, pool_size=10, max_overflow=20)
    _ping_when_idle(engine)
    return engine


# A connection back from the pool after this long unused is pinged before it is lent again.
PING_AFTER_IDLE_S = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """A PostgreSQL restart must not leave dead connections in the pool. ``pool_pre_ping``
    checks that with a round trip at every checkout: ~400 µs of CPU, on every transaction,
    among them each group commit of residents' submissions (issue 14). A connection used in
    the last few seconds was alive then, so only one idle longer is pinged. One that died
    meanwhile fails its statement instead: SQLAlchemy sees the disconnect and invalidates the
    pool, and what failed is retried (a group's submissions one by one, hub/intake.py; a page
    or an action answers 503 and is sent again), on fresh connections."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _on_checkout(dbapi_conn: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_S:
            return  # new (just connected), or used a moment ago
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise exc_.DisconnectionError("the connection did not answer a ping") from exc
        if not alive:
            raise exc_.DisconnectionError("the connection did not answer a ping")


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

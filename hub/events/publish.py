"""Write through one transaction, publish after commit.

``async with writing(sessionmaker, broker) as w:`` opens a write transaction; actions change
rows through ``w.session`` and append events with ``w.emit``. Only after the commit succeeds are
the events published, in seq order. If publishing fails the events are still in the log, and
every process heals from it (heartbeat check, reconnect), so a broker outage delays news but
never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.broker import Broker
from hub.db import WRITE
from hub.events import log as event_log
from hub.events.log import LoggedEvent, wire_many
from hub.events.schema import Event
from hub.events.stream import channel_name

logger = logging.getLogger(__name__)


class Writer:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.appended: list[LoggedEvent] = []

    async def emit(self, meeting_id: int, event: Event, target: str | None = None) -> LoggedEvent:
        logged = await event_log.append(self.session, meeting_id, event, target)
        self.appended.append(logged)
        return logged

    async def emit_many(
        self, meeting_id: int, events: list[tuple[Event, str | None]]
    ) -> list[LoggedEvent]:
        logged = await event_log.append_many(self.session, meeting_id, events)
        self.appended.extend(logged)
        return logged


# SQLite takes one writer at a time. Writers of this process queue here, in order and without a
# time limit, instead of in SQLite's busy handler, whose timeout turns a long queue (a burst of
# residents' comments) into "database is locked" errors.
_SQLITE_WRITE_LOCKS: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _write_lock(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> contextlib.AbstractAsyncContextManager[Any]:
    engine = sessionmaker.kw.get("bind")
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    lock = _SQLITE_WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _SQLITE_WRITE_LOCKS[engine] = asyncio.Lock()
    return lock


@asynccontextmanager
async def writing(
    sessionmaker: async_sessionmaker[AsyncSession], broker: Broker
) -> AsyncIterator[Writer]:
    async with _write_lock(sessionmaker), sessionmaker() as session:
        await session.connection(execution_options=WRITE)
        writer = Writer(session)
        try:
            yield writer
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    # One message per meeting per commit: an action's events travel together, so they are
    # coalesced into one frame (not the second waiting out the window in another process).
    by_meeting: dict[int, list[LoggedEvent]] = {}
    for logged in writer.appended:
        by_meeting.setdefault(logged.meeting_id, []).append(logged)
    for meeting_id, events in by_meeting.items():
        try:
            await broker.publish(channel_name(meeting_id), wire_many(events))
        except Exception:
            logger.exception(
                "publish failed for meeting %s seqs %s-%s; the log heals it",
                meeting_id,
                events[0].seq,
                events[-1].seq,
            )

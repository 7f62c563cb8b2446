"""Write through one transaction, publish after commit.

``async with writing(sessionmaker, broker) as w:`` opens a write transaction; actions change
rows through ``w.session`` and append events with ``w.emit_many``. Only after the commit
succeeds are the events published, in seq order. If publishing fails the events are still in
the log, and every process heals from it (heartbeat check, reconnect), so a broker outage delays
news but never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.broker import Broker
from hub.db import WRITE, write_lock
from hub.events import log as event_log
from hub.events import wire
from hub.events.log import LoggedEvent
from hub.events.schema import Event

logger = logging.getLogger(__name__)


class Writer:
    """An open write transaction: the session actions change rows through, and the events
    they appended (published once it commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.appended: list[LoggedEvent] = []

    async def emit_many(
        self, meeting_id: int, events: list[tuple[Event, str | None]]
    ) -> list[LoggedEvent]:
        """Append events (each with its participant target, or None) to the meeting's log."""
        logged = await event_log.append_many(self.session, meeting_id, events)
        self.appended.extend(logged)
        return logged


@asynccontextmanager
async def writing(
    sessionmaker: async_sessionmaker[AsyncSession], broker: Broker
) -> AsyncIterator[Writer]:
    async with write_lock(sessionmaker), sessionmaker() as session:
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
            await broker.publish(wire.channel_name(meeting_id), wire.encode(events))
        except Exception:
            logger.exception(
                "publish failed for meeting %s seqs %s-%s; the log heals it",
                meeting_id,
                events[0].seq,
                events[-1].seq,
            )

"""Write through one transaction, publish after commit.

``async with writing(sessionmaker, broker) as w:`` opens a write transaction; actions change
rows through ``w.session`` and append events with ``w.emit``. Only after the commit succeeds are
the events published, in seq order. If publishing fails the events are still in the log, and
every process heals from it (heartbeat check, reconnect), so a broker outage delays news but
never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.broker import Broker
from hub.db import WRITE
from hub.events import log as event_log
from hub.events.log import LoggedEvent
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


@asynccontextmanager
async def writing(
    sessionmaker: async_sessionmaker[AsyncSession], broker: Broker
) -> AsyncIterator[Writer]:
    async with sessionmaker() as session:
        await session.connection(execution_options=WRITE)
        writer = Writer(session)
        try:
            yield writer
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    for logged in writer.appended:
        try:
            await broker.publish(channel_name(logged.meeting_id), logged.wire())
        except Exception:
            logger.exception(
                "publish failed for meeting %s seq %s; the log heals it",
                logged.meeting_id,
                logged.seq,
            )

"""Publishing after commit: one broker message per meeting per commit, in seq order."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.broker.memory import MemoryBroker
from hub.events import wire
from hub.events.publish import writing
from tests.support import Seeded

ACTOR = Actor(1, "Clerk")


async def test_one_message_per_commit(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    messages: list[bytes] = []
    await broker.subscribe(f"council-hub:meeting:{seeded.meeting_id}", messages.append)
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, seeded.meeting_id, "open", ACTOR)
        await set_current_item(w, seeded.meeting_id, seeded.item_ids[0], ACTOR)
    await asyncio.sleep(0.01)
    assert len(messages) == 1
    events = wire.decode(seeded.meeting_id, messages[0])
    assert [e.seq for e in events] == [1, 2, 3, 4]


async def test_concurrent_sqlite_writers_queue_instead_of_failing(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    """Many writers at once on SQLite: all succeed, in some order, none "database is locked"."""
    from hub.actions import Conflict
    from hub.db import create_engine, create_sessionmaker

    engine = create_engine(sqlite_url)
    sm = create_sessionmaker(engine)
    broker = MemoryBroker()
    async with writing(sm, broker) as w:
        await change_meeting_status(w, sqlite_seeded.meeting_id, "open", ACTOR)

    async def act(i: int) -> str:
        try:
            async with writing(sm, broker) as w:
                await set_current_item(
                    w, sqlite_seeded.meeting_id, sqlite_seeded.item_ids[i % 6], ACTOR
                )
        except Conflict:
            return "conflict"
        return "ok"

    results = await asyncio.gather(*(act(i) for i in range(200)))
    await engine.dispose()
    assert set(results) <= {"ok", "conflict"} and results.count("ok") > 100

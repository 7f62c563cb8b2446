"""The event log on SQLite and PostgreSQL: gap-free seqs under concurrency, replay, pruning."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.broker.memory import MemoryBroker
from hub.events import log as event_log
from hub.events.publish import writing
from hub.events.schema import Audience
from tests.support import Seeded

ACTOR = Actor(1, "Clerk")


async def test_concurrent_actions_get_gap_free_ordered_seqs(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    mid = seeded.meeting_id
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, mid, "open", ACTOR)

    async def make_current(item_id: int) -> None:
        async with writing(sessionmaker, broker) as w:
            await set_current_item(w, mid, item_id, ACTOR)

    # 20 concurrent writers on one meeting (each item made current several times).
    items = seeded.item_ids * 4
    results = await asyncio.gather(*(make_current(i) for i in items), return_exceptions=True)
    # Some are refused (already current) -- a clean Conflict, never a database error.
    from hub.actions import Conflict

    for r in results:
        assert r is None or isinstance(r, Conflict), r
    async with sessionmaker() as session:
        b = await event_log.bounds(session, mid)
        assert b is not None
        events = await event_log.replay(
            session, mid, 0, audiences=frozenset(Audience), limit=10_000
        )
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, b.last_seq + 1))
    # Exactly one item ends up current.
    import json

    current: dict[int, str] = {}
    for e in events:
        body = json.loads(e.envelope)
        if body["type"] == "agenda.item.updated":
            current[body["data"]["item"]["id"]] = body["data"]["item"]["status"]
    assert list(current.values()).count("current") == 1


async def test_replay_filters_audience_and_bounds(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    mid = seeded.meeting_id
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, mid, "open", ACTOR)  # seq 1 public, seq 2 staff
    async with sessionmaker() as session:
        public = await event_log.replay(
            session, mid, 0, audiences=frozenset({Audience.PUBLIC}), limit=10
        )
        everything = await event_log.replay(
            session, mid, 0, audiences=frozenset(Audience), limit=10
        )
        upto = await event_log.replay(
            session, mid, 0, audiences=frozenset(Audience), limit=10, up_to=1
        )
    assert [e.seq for e in public] == [1]
    assert [(e.seq, e.audience) for e in everything] == [(1, Audience.PUBLIC), (2, Audience.STAFF)]
    assert [e.seq for e in upto] == [1]


async def test_prune_moves_first_seq(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    broker = MemoryBroker()
    mid = seeded.meeting_id
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, mid, "open", ACTOR)
        await set_current_item(w, mid, seeded.item_ids[0], ACTOR)
    async with sessionmaker() as session:
        removed = await event_log.prune(session, mid, keep_from=3)
        await session.commit()
    assert removed == 2
    async with sessionmaker() as session:
        b = await event_log.bounds(session, mid)
        left = await event_log.replay(session, mid, 0, audiences=frozenset(Audience), limit=10)
    assert b is not None and (b.first_seq, b.last_seq) == (3, 4)
    assert [e.seq for e in left] == [3, 4]


async def test_failed_action_appends_nothing_and_publishes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded
) -> None:
    from hub.actions import Conflict

    broker = MemoryBroker()
    received: list[bytes] = []
    await broker.subscribe(f"council-hub:meeting:{seeded.meeting_id}", received.append)
    try:
        async with writing(sessionmaker, broker) as w:
            await change_meeting_status(w, seeded.meeting_id, "adjourn", ACTOR)  # not live yet
    except Conflict:
        pass
    else:
        raise AssertionError("adjourning a scheduled meeting must be refused")
    await asyncio.sleep(0.01)
    async with sessionmaker() as session:
        b = await event_log.bounds(session, seeded.meeting_id)
    assert b is not None and b.last_seq == 0
    assert received == []

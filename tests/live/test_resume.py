"""Every way a resume can fail has a named answer, and lost broker messages are healed."""

from __future__ import annotations

import asyncio
import contextlib
import json

from hub.actions import Conflict
from hub.actions._locks import Actor
from hub.actions.agenda import set_current_item
from hub.actions.meetings import change_meeting_status
from hub.events import log as event_log
from hub.events.publish import writing
from hub.events.schema import Audience
from tests.conftest import settings_for
from tests.support import RunningServer, Seeded, recv_events, recv_json, run_server, ws_connect

ACTOR = Actor(1, "Clerk")


class LosingBroker:
    """A broker whose messages never arrive (Redis restarting, a network blip)."""

    async def publish(self, channel: str, message: bytes) -> None:
        return None


async def _act(server: RunningServer, fn) -> None:  # type: ignore[no-untyped-def]
    svc = server.services
    async with writing(svc.sessionmaker, svc.broker) as w:
        await fn(w)


async def _act_lost(server: RunningServer, fn) -> None:  # type: ignore[no-untyped-def]
    async with writing(server.services.sessionmaker, LosingBroker()) as w:  # type: ignore[arg-type]
        await fn(w)


async def test_pruned_position_gets_reset(server: RunningServer, seeded: Seeded) -> None:
    mid = seeded.meeting_id
    await _act(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
    await _act(server, lambda w: set_current_item(w, mid, seeded.item_ids[0], ACTOR))
    async with server.services.sessionmaker() as session:
        await event_log.prune(session, mid, keep_from=3)
        await session.commit()
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=1") as ws:
        frame = await recv_json(ws)
        assert frame == {"type": "reset", "reason": "pruned"}
    # From the first kept position it still resumes.
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=2") as ws:
        frame = await recv_json(ws)
        assert frame["seq"] == 3


async def test_gap_from_lost_message_is_filled_from_the_log(
    server: RunningServer, seeded: Seeded
) -> None:
    mid = seeded.meeting_id
    async with ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws:
        await _act_lost(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
        await _act(server, lambda w: set_current_item(w, mid, seeded.item_ids[0], ACTOR))
        got = await recv_events(ws, 2)
        assert [(e["seq"], e["type"]) for e in got] == [
            (1, "meeting.updated"),
            (3, "agenda.item.updated"),
        ]


async def test_lost_last_message_is_healed_by_the_heartbeat(
    sqlite_url: str, sqlite_seeded: Seeded
) -> None:
    mid = sqlite_seeded.meeting_id
    settings = settings_for(sqlite_url, heartbeat_seconds=0.2)
    async with (
        run_server(settings) as server,
        ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=0") as ws,
    ):
        await _act_lost(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
        event = await recv_json(ws, timeout=3)
        assert (event["seq"], event["type"]) == (1, "meeting.updated")
        raw = json.loads(await ws.recv())
        assert raw == {"type": "heartbeat"}


async def test_reconnect_storm_shares_reads_and_loses_nothing(
    server: RunningServer, seeded: Seeded
) -> None:
    """Many sockets resuming from the same seq each get exactly the missed events."""
    mid = seeded.meeting_id
    await _act(server, lambda w: change_meeting_status(w, mid, "open", ACTOR))
    for item in seeded.item_ids[:4]:
        await _act(server, lambda w, item=item: set_current_item(w, mid, item, ACTOR))
    async with server.services.sessionmaker() as session:
        expected = [
            e.seq
            for e in await event_log.replay(
                session, mid, 1, audiences=frozenset({Audience.PUBLIC}), limit=100
            )
        ]
    sockets = [ws_connect(f"{server.ws_url}/api/meetings/{mid}/live?after=1") for _ in range(50)]
    opened = [await s.__aenter__() for s in sockets]
    try:
        for ws in opened:
            got = await recv_events(ws, len(expected))
            assert [e["seq"] for e in got] == expected
    finally:
        for s in sockets:
            await s.__aexit__(None, None, None)


async def _after(delay: float, coro):  # type: ignore[no-untyped-def]
    await asyncio.sleep(delay)
    return await coro


async def test_channel_opening_during_actions_keeps_its_ring_exact(
    sessionmaker, seeded: Seeded
) -> None:  # type: ignore[no-untyped-def]
    """A process starts following a meeting while clerks act: its memory of recent events must
    hold each seq once, in order (regression: a replay racing the subscription doubled seqs)."""
    from hub.broker.memory import MemoryBroker
    from hub.live.streams import LiveStreams

    mid = seeded.meeting_id
    broker = MemoryBroker()
    async with writing(sessionmaker, broker) as w:
        await change_meeting_status(w, mid, "open", ACTOR)

    async def act(i: int) -> None:
        with contextlib.suppress(Conflict):  # "already current": fine, nothing appended
            async with writing(sessionmaker, broker) as w:
                await set_current_item(w, mid, seeded.item_ids[i % 4], ACTOR)

    for round_ in range(20):
        streams = LiveStreams(sessionmaker, broker, coalesce_s=0.0)
        acts = [act(i) for i in range(6)]
        # Let some actions get going before the channel opens, at a different point each round.
        await asyncio.gather(*acts[:3], _after(round_ * 0.001, streams.channel(mid)), *acts[3:])
        await asyncio.sleep(0.05)
        channel = streams.channels[mid]
        await channel.sync_now()
        await asyncio.sleep(0.05)
        seqs = [entry[0] for entry in channel.ring]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        assert seqs[-1] == channel.last_seq
        await streams.close()
